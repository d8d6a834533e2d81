-- Triggers, keyed by (table, name). Internal triggers (FK enforcement, tgisinternal; their names
-- carry OIDs) follow their constraint and are left out. tgenabled is compared apart:
-- pg_get_triggerdef does not show ALTER TABLE ... DISABLE TRIGGER. A trigger cloned onto a
-- partition (tgparentid) names its parent trigger as an owner. PostgreSQL 14 marks such clones
-- tgisinternal and 17 does not (seen in SchemaDiffIT/CatalogSnapshotIT on both), so they are taken
-- on every major by tgparentid, and told apart from FK triggers by tgconstraint = 0.
SELECT 'trigger' AS kind,
       n.nspname || '.' || c.relname || '.' || t.tgname AS name,
       ARRAY[CASE c.relkind WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized_view ' ELSE 'table ' END
             || n.nspname || '.' || c.relname]
         || ARRAY(SELECT 'trigger ' || pn.nspname || '.' || pc.relname || '.' || pt.tgname
                  FROM pg_trigger pt JOIN pg_class pc ON pc.oid = pt.tgrelid
                  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                  WHERE pt.oid = t.tgparentid)
         AS owners,
       quote_ident(t.tgname) AS sql_name,
       jsonb_build_object(
         'definition', pg_get_triggerdef(t.oid, true),
         'enabled', CASE t.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled'
                                     WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END) AS attrs
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (NOT t.tgisinternal OR (t.tgparentid <> 0 AND t.tgconstraint = 0))
  AND n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
