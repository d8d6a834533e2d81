-- Functions, procedures, window functions and aggregates, keyed by name and identity arguments
-- argument types (overloads are distinct objects; parameter names are not part of a function's identity,
-- so they are left out of its name: oidvectortypes, not pg_get_function_identity_arguments, which
-- includes them). pg_get_functiondef carries language, volatility, strictness,
-- SECURITY DEFINER, SET options and the body; the flags are also kept apart so a finding can say
-- which one changed. pg_get_functiondef rejects aggregates
-- (https://www.postgresql.org/docs/current/functions-info.html): they are described by pg_aggregate.
-- Functions PostgreSQL makes for a type (range and multirange constructors) depend on it
-- internally (deptype 'i') and are left out with extension members: the type is compared.
SELECT 'function' AS kind,
       n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' AS name,
       ARRAY['schema ' || n.nspname] AS owners,
       format('%I.%I', n.nspname, p.proname) || '(' || oidvectortypes(p.proargtypes) || ')' AS sql_name,
       jsonb_strip_nulls(jsonb_build_object(
         'kind', CASE p.prokind WHEN 'f' THEN 'function' WHEN 'p' THEN 'procedure'
                                WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function' END,
         'language', l.lanname,
         'result', pg_get_function_result(p.oid),
         'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
         'security_definer', p.prosecdef,
         'leakproof', p.proleakproof,
         'config', array_to_string(p.proconfig, ', '),
         'definition', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
         'aggregate', (SELECT concat_ws(', ', 'sfunc=' || a.aggtransfn::regprocedure::text,
                                      'stype=' || format_type(a.aggtranstype, NULL),
                                      CASE WHEN a.aggfinalfn <> 0 THEN 'finalfunc=' || a.aggfinalfn::regprocedure::text END,
                                      CASE WHEN a.aggcombinefn <> 0 THEN 'combinefunc=' || a.aggcombinefn::regprocedure::text END,
                                      'initcond=' || quote_literal(a.agginitval),
                                      'kind=' || a.aggkind::text)
                       FROM pg_aggregate a WHERE a.aggfnoid = p.oid))) AS attrs
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgvigil')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
