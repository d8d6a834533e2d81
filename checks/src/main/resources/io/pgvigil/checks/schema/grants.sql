-- Privileges on schemas, relations and functions (opt-in), one object per (target, grantee).
-- A NULL ACL means the defaults, spelled out by acldefault. The owner's own privileges are left
-- out: the shadow database replays as another role than the live one's owner.
WITH targets AS (
  SELECT 'schema ' || n.nspname AS target, n.nspacl AS acl, n.nspowner AS owner, 'n'::"char" AS objtype
  FROM pg_namespace n
  WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  UNION ALL
  SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized_view ' WHEN 'S' THEN 'sequence '
                        ELSE 'table ' END || n.nspname || '.' || c.relname,
         c.relacl, c.relowner, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
    AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
  UNION ALL
  SELECT 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
         p.proacl, p.proowner, 'f'::"char"
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
)
SELECT 'grant' AS kind,
       t.target || ' to ' || CASE WHEN g.grantee = 0 THEN 'public' ELSE pg_get_userbyid(g.grantee) END AS name,
       ARRAY[t.target] AS owners,
       NULL::text AS sql_name,
       jsonb_build_object('privileges', string_agg(g.privilege_type || CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END,
                                                   ', ' ORDER BY g.privilege_type)) AS attrs
FROM targets t
CROSS JOIN LATERAL aclexplode(coalesce(t.acl, acldefault(t.objtype, t.owner))) g
WHERE g.grantee <> t.owner
GROUP BY t.target, g.grantee
