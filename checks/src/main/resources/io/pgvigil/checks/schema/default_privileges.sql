-- ALTER DEFAULT PRIVILEGES entries (drift.compare: defaultPrivileges), one object per (role, schema
-- or none, object type, grantee): 'tables for role app_owner in schema app to app_reader'. Roles are
-- mapped through $1, the role map as JSON text ({"shadow_role": "live_role"}; '{}' for none).
-- The creating role's own privileges are left out, as for grants. sql_name is the
-- 'FOR ROLE ... [IN SCHEMA ...]' part of the statement that sets the entry
-- (https://www.postgresql.org/docs/current/sql-alterdefaultprivileges.html).
WITH role_map AS (SELECT $1::text::jsonb AS m),
entries AS (
  SELECT CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
                              WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' END AS objects,
         coalesce((SELECT m ->> pg_get_userbyid(d.defaclrole) FROM role_map), pg_get_userbyid(d.defaclrole)) AS role,
         n.nspname,
         g.privilege_type, g.is_grantable,
         CASE WHEN g.grantee = 0 THEN 'public'
              ELSE coalesce((SELECT m ->> pg_get_userbyid(g.grantee) FROM role_map), pg_get_userbyid(g.grantee))
         END AS grantee
  FROM pg_default_acl d
  LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
  CROSS JOIN LATERAL aclexplode(d.defaclacl) g
  WHERE g.grantee <> d.defaclrole
    AND (n.nspname IS NULL OR (n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')))
)
SELECT 'default_privileges' AS kind,
       objects || ' for role ' || role || coalesce(' in schema ' || nspname, '') || ' to ' || grantee AS name,
       CASE WHEN nspname IS NULL THEN ARRAY[]::text[] ELSE ARRAY['schema ' || nspname] END AS owners,
       'FOR ROLE ' || quote_ident(role) || coalesce(' IN SCHEMA ' || quote_ident(nspname), '') AS sql_name,
       jsonb_build_object('privileges', string_agg(privilege_type || CASE WHEN is_grantable THEN ' WITH GRANT OPTION' ELSE '' END,
                                                   ', ' ORDER BY privilege_type)) AS attrs
FROM entries
GROUP BY objects, role, nspname, grantee
