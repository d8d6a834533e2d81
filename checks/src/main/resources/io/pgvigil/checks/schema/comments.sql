-- COMMENT ON texts (drift.compare: comments, on by default). pg_identify_object gives a type and identity that are not translated,
-- unlike pg_describe_object (https://www.postgresql.org/docs/current/functions-info.html).
-- A comment on a relation or column names it as an owner, so ignoring or excluding the table
-- leaves its comments out too. Comments on extensions come from their scripts and are left out.
-- sql_name is what COMMENT ON takes: the type in capitals ('table column' is COLUMN) and the identity,
-- quoted where needed ('table constraint' is CONSTRAINT c ON t); none for a domain constraint, whose identity lacks the DOMAIN keyword.
SELECT 'comment' AS kind,
       o.type || ' ' || o.identity AS name,
       ARRAY(SELECT CASE WHEN d.objsubid > 0 THEN 'column ' || rn.nspname || '.' || r.relname || '.' || a.attname
                         ELSE CASE r.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized_view '
                                             WHEN 'S' THEN 'sequence ' WHEN 'i' THEN 'index ' WHEN 'I' THEN 'index '
                                             ELSE 'table ' END || rn.nspname || '.' || r.relname END
             FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
             LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = d.objsubid
             WHERE d.classoid = 'pg_class'::regclass AND r.oid = d.objoid) AS owners,
       CASE o.type WHEN 'table column' THEN 'COLUMN ' || o.identity
                   WHEN 'table constraint' THEN 'CONSTRAINT ' || o.identity
                   WHEN 'domain constraint' THEN NULL
                   ELSE upper(o.type) || ' ' || o.identity END AS sql_name,
       jsonb_build_object('text', d.description) AS attrs
FROM pg_description d
CROSS JOIN LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
WHERE d.classoid <> 'pg_extension'::regclass
  AND coalesce(o.schema, CASE WHEN d.classoid = 'pg_namespace'::regclass THEN o.identity END) !~ '^pg_'
  AND coalesce(o.schema, CASE WHEN d.classoid = 'pg_namespace'::regclass THEN o.identity END)
      NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = d.classoid AND e.objid = d.objoid AND e.deptype = 'e')
