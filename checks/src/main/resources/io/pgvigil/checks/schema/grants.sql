-- Privileges on schemas, relations, sequences and functions (drift.compare: grants), one object per
-- (target, grantee). A NULL ACL means the defaults, spelled out by acldefault. The owner's own
-- privileges are left out: the shadow database replays as another role than the live one's owner
-- (owners are compared apart, drift.compare: owners).
-- $1 is the role map as JSON text ({"shadow_role": "live_role"}), applied to grantees; '{}' for none.
-- sql_name is the target as GRANT spells it (ON TABLE also covers views, materialized views and
-- foreign tables, https://www.postgresql.org/docs/current/sql-grant.html).
WITH role_map AS (SELECT $1::text::jsonb AS m),
targets AS (
  SELECT 'schema ' || n.nspname AS target, 'SCHEMA ' || quote_ident(n.nspname) AS sql_target,
         n.nspacl AS acl, n.nspowner AS owner, 'n'::"char" AS objtype
  FROM pg_namespace n
  WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
  UNION ALL
  SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized_view ' WHEN 'S' THEN 'sequence '
                        ELSE 'table ' END || n.nspname || '.' || c.relname,
         CASE WHEN c.relkind = 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || format('%I.%I', n.nspname, c.relname),
         c.relacl, c.relowner, CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char"
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
    AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
  UNION ALL
  SELECT 'function ' || n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')',
         CASE WHEN p.prokind = 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END
           || format('%I.%I', n.nspname, p.proname) || '(' || oidvectortypes(p.proargtypes) || ')',
         p.proacl, p.proowner, 'f'::"char"
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
),
grants AS (
  SELECT t.target, t.sql_target, g.privilege_type, g.is_grantable,
         CASE WHEN g.grantee = 0 THEN 'public'
              ELSE coalesce((SELECT m ->> pg_get_userbyid(g.grantee) FROM role_map), pg_get_userbyid(g.grantee))
         END AS grantee
  FROM targets t
  CROSS JOIN LATERAL aclexplode(coalesce(t.acl, acldefault(t.objtype, t.owner))) g
  WHERE g.grantee <> t.owner
)
SELECT 'grant' AS kind,
       target || ' to ' || grantee AS name,
       ARRAY[target] AS owners,
       sql_target AS sql_name,
       jsonb_build_object('privileges', string_agg(privilege_type || CASE WHEN is_grantable THEN ' WITH GRANT OPTION' ELSE '' END,
                                                   ', ' ORDER BY privilege_type)) AS attrs
FROM grants
GROUP BY target, sql_target, grantee
