-- Enums (labels in enumsortorder order), domains (base type, NOT NULL, default, CHECK constraints
-- by name), composite types (attributes in order: they are positional) and range types.
-- Tables' row types and the array and multirange types PostgreSQL makes are left out.
-- Domain NOT NULL constraints are catalogued in pg_constraint from PostgreSQL 17 (contype 'n');
-- typnotnull covers them on every major.
SELECT 'type' AS kind,
       n.nspname || '.' || t.typname AS name,
       ARRAY['schema ' || n.nspname] AS owners,
       format('%I.%I', n.nspname, t.typname) AS sql_name,
       jsonb_strip_nulls(CASE t.typtype
         WHEN 'e' THEN jsonb_build_object(
           'kind', 'enum',
           'labels', (SELECT jsonb_agg(e.enumlabel ORDER BY e.enumsortorder)::text
                      FROM pg_enum e WHERE e.enumtypid = t.oid))
         WHEN 'd' THEN jsonb_build_object(
           'kind', 'domain',
           'base_type', format_type(t.typbasetype, t.typtypmod),
           'not_null', t.typnotnull,
           'default', pg_get_expr(t.typdefaultbin, 0),
           'collation', (SELECT format('%I.%I', cn.nspname, co.collname)
                         FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                         JOIN pg_type b ON b.oid = t.typbasetype
                         WHERE co.oid = t.typcollation AND t.typcollation <> b.typcollation),
           'constraints', (SELECT string_agg(k.conname || ': ' || pg_get_constraintdef(k.oid, true), '; '
                                             ORDER BY k.conname)
                           FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype <> 'n'))
         WHEN 'c' THEN jsonb_build_object(
           'kind', 'composite',
           'attributes', (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                                              || coalesce(' COLLATE ' || (SELECT format('%I.%I', cn.nspname, co.collname)
                                                                          FROM pg_collation co
                                                                          JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                                                          JOIN pg_type at ON at.oid = a.atttypid
                                                                          WHERE co.oid = a.attcollation
                                                                            AND a.attcollation <> at.typcollation), ''),
                                            ', ' ORDER BY a.attnum)
                          FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
         ELSE (SELECT jsonb_build_object(
           'kind', 'range',
           'subtype', format_type(r.rngsubtype, NULL),
           'subtype_opclass', (SELECT o.opcname FROM pg_opclass o WHERE o.oid = r.rngsubopc))
           FROM pg_range r WHERE r.rngtypid = t.oid)
       END) AS attrs
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
  AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
