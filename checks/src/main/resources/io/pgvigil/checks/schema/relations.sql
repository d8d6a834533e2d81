-- Tables (plain, partitioned, foreign), views, materialized views and sequences.
-- Not compared, because they are not schema or differ between identical histories: OIDs,
-- relfilenodes, tablespaces (the shadow has only the default one), sizes and statistics,
-- whether a materialized view is populated, sequences' current values.
-- Reloptions are sorted: their order is the order they were set in. A sequence owned by a column
-- (serial, identity) names the table and the column as owners: a column added or dropped by hand is
-- one finding, not one more for its sequence.
SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' WHEN 'S' THEN 'sequence'
                      ELSE 'table' END AS kind,
       n.nspname || '.' || c.relname AS name,
       ARRAY['schema ' || n.nspname]
         || ARRAY(SELECT 'table ' || pn.nspname || '.' || p.relname
                  FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                  JOIN pg_namespace pn ON pn.oid = p.relnamespace
                  WHERE i.inhrelid = c.oid AND c.relispartition)
         || ARRAY(SELECT 'table ' || tn.nspname || '.' || t.relname
                  FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                  JOIN pg_namespace tn ON tn.oid = t.relnamespace
                  WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))
         || ARRAY(SELECT 'column ' || tn.nspname || '.' || t.relname || '.' || a.attname
                  FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                  JOIN pg_namespace tn ON tn.oid = t.relnamespace
                  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                  WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))
         AS owners,
       format('%I.%I', n.nspname, c.relname) AS sql_name,
       jsonb_strip_nulls(CASE
         WHEN c.relkind IN ('r', 'p', 'f') THEN jsonb_build_object(
           'relkind', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' ELSE 'foreign table' END,
           'unlogged', CASE WHEN c.relpersistence = 'u' THEN true END,
           'partition_key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
           'partition_of', (SELECT pn.nspname || '.' || p.relname
                            FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                            JOIN pg_namespace pn ON pn.oid = p.relnamespace
                            WHERE i.inhrelid = c.oid AND c.relispartition),
           'partition_bound', CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
           'inherits', (SELECT string_agg(pn.nspname || '.' || p.relname, ', ' ORDER BY i.inhseqno)
                        FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                        JOIN pg_namespace pn ON pn.oid = p.relnamespace
                        WHERE i.inhrelid = c.oid AND NOT c.relispartition),
           'options', (SELECT string_agg(o, ', ' ORDER BY o) FROM unnest(c.reloptions) o),
           'access_method', (SELECT a.amname FROM pg_am a WHERE a.oid = c.relam),
           'rls_enabled', c.relrowsecurity,
           'rls_forced', c.relforcerowsecurity,
           'replica_identity', CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing'
                                                   WHEN 'f' THEN 'full' WHEN 'i' THEN 'index' END)
         WHEN c.relkind IN ('v', 'm') THEN jsonb_build_object(
           'definition', pg_get_viewdef(c.oid, true),
           'options', (SELECT string_agg(o, ', ' ORDER BY o) FROM unnest(c.reloptions) o))
         ELSE (SELECT jsonb_build_object(
           'type', format_type(s.seqtypid, NULL),
           'start', s.seqstart::text,
           'increment', s.seqincrement::text,
           'min', s.seqmin::text,
           'max', s.seqmax::text,
           'cache', s.seqcache::text,
           'cycle', s.seqcycle,
           'unlogged', CASE WHEN c.relpersistence = 'u' THEN true END,
           'owned_by', (SELECT tn.nspname || '.' || t.relname || '.' || a.attname
                        FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid
                        JOIN pg_namespace tn ON tn.oid = t.relnamespace
                        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
                          AND d.deptype IN ('a', 'i')))
           FROM pg_sequence s WHERE s.seqrelid = c.oid)
       END) AS attrs
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
  AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
