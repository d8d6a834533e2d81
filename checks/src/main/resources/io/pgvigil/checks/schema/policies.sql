-- Row-level security policies, keyed by (table, name). Roles are sorted names ('public' for
-- PUBLIC); USING and WITH CHECK are deparsed like any other expression.
SELECT 'policy' AS kind,
       n.nspname || '.' || c.relname || '.' || p.polname AS name,
       ARRAY['table ' || n.nspname || '.' || c.relname] AS owners,
       quote_ident(p.polname) AS sql_name,
       jsonb_strip_nulls(jsonb_build_object(
         'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                  WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
         'permissive', p.polpermissive,
         'roles', (SELECT string_agg(role, ', ' ORDER BY role)
                   FROM (SELECT CASE WHEN r = 0 THEN 'public' ELSE quote_ident(pg_get_userbyid(r)) END AS role
                         FROM unnest(p.polroles) r) roles),
         'using', pg_get_expr(p.polqual, p.polrelid),
         'with_check', pg_get_expr(p.polwithcheck, p.polrelid))) AS attrs
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
