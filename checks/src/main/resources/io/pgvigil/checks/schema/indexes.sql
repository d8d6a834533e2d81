-- Indexes, those backing PRIMARY KEY, UNIQUE and EXCLUDE constraints included: such an index names
-- its constraint as an owner, so the diff reports the constraint and not its index too. An index
-- on a partition attached to a partitioned index names that index as an owner, so one index added
-- to a partitioned table is one finding. pg_get_indexdef carries columns, expressions, the
-- partial predicate, INCLUDE, opclasses and storage parameters; indisvalid is false after a failed
-- CREATE INDEX CONCURRENTLY (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
SELECT 'index' AS kind,
       n.nspname || '.' || ic.relname AS name,
       ARRAY[CASE WHEN c.relkind = 'm' THEN 'materialized_view ' ELSE 'table ' END || n.nspname || '.' || c.relname]
         || ARRAY(SELECT 'constraint ' || n.nspname || '.' || c.relname || '.' || k.conname
                  FROM pg_constraint k
                  WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
         || ARRAY(SELECT 'index ' || pn.nspname || '.' || p.relname
                  FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhparent
                  JOIN pg_namespace pn ON pn.oid = p.relnamespace
                  WHERE h.inhrelid = i.indexrelid)
         AS owners,
       format('%I.%I', n.nspname, ic.relname) AS sql_name,
       jsonb_strip_nulls(jsonb_build_object(
         'definition', pg_get_indexdef(i.indexrelid),
         'valid', i.indisvalid,
         'partitioned', CASE WHEN ic.relkind = 'I' THEN true END,
         'replica_identity', CASE WHEN i.indisreplident THEN true END)) AS attrs
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm', 'f')
  AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid IN (c.oid, ic.oid) AND e.deptype = 'e')
