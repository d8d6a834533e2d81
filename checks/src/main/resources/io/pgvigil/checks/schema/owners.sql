-- Who owns each schema, relation, function and type (drift.compare: owners): one object per owned
-- object, named like it ('owner table app.orders'), with the owning role, mapped through $1, the
-- role map as JSON text ({"shadow_role": "live_role"}; '{}' for none). sql_name is the object as
-- ALTER ... OWNER TO spells it. Indexes and owned sequences follow their table's owner and are left
-- out, as are tables' row types, array types and what extensions own.
WITH role_map AS (SELECT $1::text::jsonb AS m),
owned AS (
  SELECT 'schema ' || n.nspname AS target, 'SCHEMA ' || quote_ident(n.nspname) AS sql_target, n.nspowner AS owner
  FROM pg_namespace n
  WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
  UNION ALL
  SELECT CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized_view ' WHEN 'S' THEN 'sequence '
                        ELSE 'table ' END || n.nspname || '.' || c.relname,
         CASE c.relkind WHEN 'v' THEN 'VIEW ' WHEN 'm' THEN 'MATERIALIZED VIEW ' WHEN 'S' THEN 'SEQUENCE '
                        WHEN 'f' THEN 'FOREIGN TABLE ' ELSE 'TABLE ' END || format('%I.%I', n.nspname, c.relname),
         c.relowner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
    AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid
                      AND (e.deptype = 'e' OR (c.relkind = 'S' AND e.deptype IN ('a', 'i'))))
  UNION ALL
  SELECT 'function ' || n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')',
         CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' WHEN 'a' THEN 'AGGREGATE ' ELSE 'FUNCTION ' END
           || format('%I.%I', n.nspname, p.proname) || '(' || oidvectortypes(p.proargtypes) || ')',
         p.proowner
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
  UNION ALL
  SELECT 'type ' || n.nspname || '.' || t.typname,
         CASE WHEN t.typtype = 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END || format('%I.%I', n.nspname, t.typname),
         t.typowner
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE (t.typtype IN ('e', 'd', 'r')
         OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))
    AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
    AND NOT EXISTS (SELECT 1 FROM pg_depend e
                    WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
)
SELECT 'owner' AS kind,
       o.target AS name,
       ARRAY[o.target] AS owners,
       o.sql_target AS sql_name,
       jsonb_build_object('role', coalesce((SELECT m ->> pg_get_userbyid(o.owner) FROM role_map),
                                           pg_get_userbyid(o.owner))) AS attrs
FROM owned o
