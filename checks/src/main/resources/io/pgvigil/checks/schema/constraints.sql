-- Table constraints, keyed by (table, name). pg_get_constraintdef carries the columns, the
-- referenced table, FK actions, deferrability and a trailing NOT VALID.
-- Left out: NOT NULL constraints (contype 'n', catalogued from PostgreSQL 18; the column's
-- not_null covers them), constraint triggers (contype 't'; the trigger is compared), and the
-- copies PostgreSQL makes on the referencing table for each partition of a referenced
-- partitioned table (conparentid set, same conrelid as the parent: same name, so not keyable).
-- A constraint cloned onto a partition names its parent constraint as an owner.
SELECT 'constraint' AS kind,
       n.nspname || '.' || c.relname || '.' || k.conname AS name,
       ARRAY['table ' || n.nspname || '.' || c.relname]
         || ARRAY(SELECT 'constraint ' || pn.nspname || '.' || pc.relname || '.' || p.conname
                  FROM pg_constraint p JOIN pg_class pc ON pc.oid = p.conrelid
                  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                  WHERE p.oid = k.conparentid)
         AS owners,
       quote_ident(k.conname) AS sql_name,
       jsonb_build_object(
         'type', CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'c' THEN 'check'
                                WHEN 'f' THEN 'foreign key' WHEN 'x' THEN 'exclusion' END,
         'definition', pg_get_constraintdef(k.oid, true),
         'validated', k.convalidated) AS attrs
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype IN ('p', 'u', 'c', 'f', 'x')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.oid = k.conparentid AND p.conrelid = k.conrelid)
  AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
