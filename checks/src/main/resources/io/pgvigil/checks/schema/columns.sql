-- Columns of tables, compared by name: attnum (column order) is not compared, as a column dropped
-- and added again lands at the end without the schema meaning anything else.
-- The statistics target (SET STATISTICS) is read only where one was set: PostgreSQL 17 stores the
-- default as NULL instead of -1 (https://www.postgresql.org/docs/17/release-17.html), so both are
-- no attribute; 0 (no statistics) is one. The snapshot drops it unless drift.compare has statistics.
-- Not compared: storage and compression (physical tuning). The column's place (attnum) is read as
-- position, never compared: only a CREATE TABLE suggested for a missing table lists columns in it.
-- Defaults and generation expressions are deparsed with pg_get_expr under search_path = ''.
-- A NOT NULL constraint added NOT VALID (PostgreSQL 18) has its own pg_constraint row (contype 'n').
SELECT 'column' AS kind,
       n.nspname || '.' || c.relname || '.' || a.attname AS name,
       ARRAY['table ' || n.nspname || '.' || c.relname]
         || ARRAY(SELECT 'column ' || pn.nspname || '.' || p.relname || '.' || a.attname
                  FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                  JOIN pg_namespace pn ON pn.oid = p.relnamespace
                  JOIN pg_attribute pa ON pa.attrelid = p.oid AND pa.attname = a.attname AND NOT pa.attisdropped
                  WHERE i.inhrelid = c.oid AND a.attinhcount > 0)
         AS owners,
       quote_ident(a.attname) AS sql_name,
       a.attnum AS position,
       jsonb_strip_nulls(jsonb_build_object(
         'type', format_type(a.atttypid, a.atttypmod),
         'collation', CASE WHEN a.attcollation <> t.typcollation
                           THEN (SELECT format('%I.%I', cn.nspname, co.collname)
                                 FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                 WHERE co.oid = a.attcollation) END,
         'not_null', a.attnotnull,
         'not_null_not_valid', (SELECT true FROM pg_constraint k
                                WHERE k.contype = 'n' AND k.conrelid = c.oid AND k.conkey[1] = a.attnum
                                  AND NOT k.convalidated),
         'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
         'generated', CASE a.attgenerated WHEN 's' THEN 'stored' WHEN 'v' THEN 'virtual' END,
         'generation_expression', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
         'statistics_target', CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END,
         'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END)) AS attrs
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'f')
  AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
