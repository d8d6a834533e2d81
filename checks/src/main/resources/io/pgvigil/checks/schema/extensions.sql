-- Extensions and their versions; what they own is left out of every other query.
SELECT 'extension' AS kind,
       e.extname AS name,
       ARRAY[]::text[] AS owners,
       quote_ident(e.extname) AS sql_name,
       jsonb_build_object('version', e.extversion, 'schema', n.nspname) AS attrs
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname <> 'pgvigil'
