-- Schemas of the application. Every catalog query of the snapshot returns the same columns:
-- kind, name (unquoted, dot-joined), owners ('<kind> <name>' of what the object hangs off),
-- sql_name (quote_ident rules) and attrs (what is compared; jsonb_strip_nulls drops absent ones).
--
-- Left out everywhere: pg_catalog, information_schema, pg_toast and the temporary schemas
-- (pg_temp_N, pg_toast_temp_N), all covered by the pg_ prefix, which is reserved for system schemas
-- (https://www.postgresql.org/docs/current/sql-createschema.html); pgvigil's own schema 'pgvigil';
-- and objects that belong to an extension (pg_depend.deptype = 'e',
-- https://www.postgresql.org/docs/current/catalog-pg-depend.html): the extension's version is
-- compared instead. Owners are never compared: the shadow database replays as another role.
SELECT 'schema' AS kind,
       n.nspname AS name,
       ARRAY[]::text[] AS owners,
       quote_ident(n.nspname) AS sql_name,
       '{}'::jsonb AS attrs
FROM pg_namespace n
WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
