-- Extended statistics objects (CREATE STATISTICS; drift.compare: statistics), keyed by schema and
-- name. pg_get_statisticsobjdef carries the kinds, the columns or expressions and the table; the
-- object's own statistics target (ALTER STATISTICS ... SET STATISTICS) is read only where one was
-- set: PostgreSQL 17 stores the default as NULL instead of -1
-- (https://www.postgresql.org/docs/17/release-17.html). The data ANALYZE gathers is not compared.
SELECT 'statistics' AS kind,
       n.nspname || '.' || s.stxname AS name,
       ARRAY['table ' || tn.nspname || '.' || t.relname] AS owners,
       format('%I.%I', n.nspname, s.stxname) AS sql_name,
       jsonb_strip_nulls(jsonb_build_object(
         'definition', pg_get_statisticsobjdef(s.oid),
         'statistics_target', CASE WHEN s.stxstattarget >= 0 THEN s.stxstattarget END)) AS attrs
FROM pg_statistic_ext s
JOIN pg_namespace n ON n.oid = s.stxnamespace
JOIN pg_class t ON t.oid = s.stxrelid
JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid IN ('pg_class'::regclass, 'pg_statistic_ext'::regclass)
                    AND e.objid IN (t.oid, s.oid) AND e.deptype = 'e')
