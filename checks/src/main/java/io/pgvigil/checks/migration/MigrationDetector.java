package io.pgvigil.checks.migration;

import io.pgvigil.checks.history.AdvisoryLockKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the migration tools running against the current database now, and their backends: granted Flyway
 * and Prisma advisory locks, sessions whose {@code application_name} matches a configured pattern, and
 * Liquibase's {@code databasechangeloglock} row.
 *
 * <p>Flyway's default {@code postgresql.transactional.lock=true} holds the lock on one connection, idle in transaction,
 * and runs the SQL on a second connection of the same client (seen with Flyway 13.12). That backend, the one a kill
 * switch must cancel, is reported too, as FLYWAY naming the holder: same database, role, client address and
 * application_name {@code Redgate_Flyway}, started after the holder, active or in a transaction.
 *
 * <p>Works with {@code pg_monitor}; query text is not read. A Liquibase lock table the role cannot SELECT
 * is skipped with a warning.
 */
public final class MigrationDetector {

  /** The {@code application_name} Flyway 13 sets on its connections (pgjdbc ApplicationName). */
  public static final String FLYWAY_APPLICATION_NAME = "Redgate_Flyway";

  /*
   * $1..$2 Flyway's classid range, $3..$4 Prisma's key, $5 application_name LIKE patterns, $6 Flyway's own
   * application_name. A second connection counts as Flyway's only when the holder carries that name, i.e. Flyway
   * opened its own connections: when Flyway borrows an application's DataSource (Spring Boot), every connection
   * of that pool looks alike and guessing could point the kill switch at application traffic.
   * Only client backends of this database, never pgvigil's own. The Liquibase rows carry the server-quoted table
   * name; its lock row is read by a second statement (a table name cannot be a parameter, and the table may not
   * exist: looked up in pg_class by name, since to_regclass can fail on permission).
   */
  private static final String DETECT = """
      WITH here AS (
        SELECT oid FROM pg_database WHERE datname = current_database()
      ), holders AS (
        SELECT DISTINCT l.pid,
               CASE WHEN l.classid::int8 = $3 AND l.objid::int8 = $4 THEN 'PRISMA' ELSE 'FLYWAY' END AS tool,
               'advisory lock ' || ((l.classid::int8 << 32) | l.objid::int8) || ' held' AS evidence
        FROM pg_locks l
        WHERE l.locktype = 'advisory'
          AND l.granted
          AND l.objsubid = 1
          AND l.database = (SELECT oid FROM here)
          AND (l.classid::int8 BETWEEN $1 AND $2 OR (l.classid::int8 = $3 AND l.objid::int8 = $4))
          AND l.pid <> pg_backend_pid()
      ), flyway_workers AS (
        SELECT w.pid, 'FLYWAY' AS tool,
               'same Flyway client as lock holder ' || h.pid AS evidence
        FROM holders h
        JOIN pg_stat_activity ha ON ha.pid = h.pid
        JOIN pg_stat_activity w
          ON w.pid <> h.pid
         AND w.datid = ha.datid
         AND w.usesysid = ha.usesysid
         AND w.application_name = ha.application_name
         AND w.client_addr IS NOT DISTINCT FROM ha.client_addr
        WHERE h.tool = 'FLYWAY'
          AND ha.state LIKE 'idle in transaction%'
          AND ha.application_name = $6
          AND w.backend_start >= ha.backend_start
          AND w.backend_type = 'client backend'
          AND w.state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
          AND w.pid <> pg_backend_pid()
          AND w.pid NOT IN (SELECT pid FROM holders)
      ), named AS (
        SELECT a.pid, 'APPLICATION' AS tool,
               'application_name matches ' || min(p.pattern) AS evidence
        FROM pg_stat_activity a
        JOIN unnest($5::text[]) AS p(pattern) ON a.application_name LIKE p.pattern
        WHERE a.datid = (SELECT oid FROM here)
          AND a.backend_type = 'client backend'
          AND a.pid <> pg_backend_pid()
          -- A one-time filter: with no pattern configured (the default) the activity view is not
          -- read at all. It builds a row for every connection; at 1,000 connections that was
          -- 1.6 of this poll's 2.0 ms, every poll.
          AND cardinality($5::text[]) > 0
        GROUP BY a.pid
      ), found AS (
        SELECT * FROM holders
        UNION ALL SELECT * FROM flyway_workers
        UNION ALL SELECT * FROM named
      )
      SELECT f.tool, f.pid, a.backend_start, a.state, a.application_name, a.usename::text AS usename,
             f.evidence, NULL::text AS lock_table, NULL::boolean AS readable
      FROM found f
      LEFT JOIN pg_stat_activity a ON a.pid = f.pid
      UNION ALL
      SELECT 'LIQUIBASE', NULL, NULL, NULL, NULL, NULL, NULL,
             format('%I.%I', n.nspname, c.relname), has_table_privilege(c.oid, 'SELECT')
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = 'databasechangeloglock'
        AND c.relkind IN ('r', 'p')
      ORDER BY 1, 2
      """;

  /** Liquibase's lock table; %s is the server-quoted {@code schema.table} from {@link #DETECT}. */
  private static final String LIQUIBASE_LOCK = """
      SELECT lockedby, lockgranted::text AS lockgranted
      FROM %s
      WHERE locked
      ORDER BY id
      """;

  private static final Logger LOG = LoggerFactory.getLogger(MigrationDetector.class);

  /** One row of {@link #DETECT}: a backend, or a Liquibase lock table still to read. */
  private record Found(MigrationBackend backend, String lockTable, boolean readable) {}

  /** Liquibase lock tables already reported as unreadable. */
  private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

  /**
   * The migration backends running now, ordered by tool then pid.
   *
   * @param applicationNamePatterns case-sensitive SQL {@code LIKE} patterns for {@code application_name}, e.g.
   *                                {@link #FLYWAY_APPLICATION_NAME} or {@code "deploy-%"}; empty: none
   */
  public Future<List<MigrationBackend>> poll(SqlClient client, List<String> applicationNamePatterns) {
    Tuple parameters = Tuple.of(AdvisoryLockKeys.FLYWAY_CLASSID_MIN, AdvisoryLockKeys.FLYWAY_CLASSID_MAX,
        AdvisoryLockKeys.classid(AdvisoryLockKeys.PRISMA), AdvisoryLockKeys.objid(AdvisoryLockKeys.PRISMA),
        applicationNamePatterns.toArray(String[]::new), FLYWAY_APPLICATION_NAME);
    return client.preparedQuery(DETECT)
        .mapping(MigrationDetector::found)
        .execute(parameters)
        .compose(rows -> {
          List<MigrationBackend> backends = new ArrayList<>();
          List<Future<List<MigrationBackend>>> liquibase = new ArrayList<>();
          for (Found found : rows) {
            if (found.lockTable() == null) {
              backends.add(found.backend());
            } else if (found.readable()) {
              liquibase.add(liquibaseLocks(client, found.lockTable()));
            } else if (unreadable.add(found.lockTable())) {
              // Once per table, not once per poll (every second, or four times a second in a window).
              LOG.warn("Cannot see whether Liquibase is running: no SELECT on {}", found.lockTable());
            }
          }
          return Future.all(liquibase).map(done -> {
            for (Future<List<MigrationBackend>> locks : liquibase) {
              backends.addAll(locks.result());
            }
            return List.copyOf(backends);
          });
        });
  }

  private static Found found(Row row) {
    String lockTable = row.getString("lock_table");
    if (lockTable != null) {
      return new Found(null, lockTable, Boolean.TRUE.equals(row.getBoolean("readable")));
    }
    return new Found(new MigrationBackend(DetectedTool.valueOf(row.getString("tool")), row.getInteger("pid"),
        row.getOffsetDateTime("backend_start"), row.getString("state"), row.getString("application_name"),
        row.getString("usename"), row.getString("evidence")), null, false);
  }

  private static Future<List<MigrationBackend>> liquibaseLocks(SqlClient client, String lockTable) {
    // lockTable was quoted by the server's format('%I.%I'): an identifier, not user input.
    return client.preparedQuery(LIQUIBASE_LOCK.formatted(lockTable))
        .collecting(Collectors.mapping(row -> new MigrationBackend(DetectedTool.LIQUIBASE, null, null, null, null,
            null, lockTable + " locked by " + row.getString("lockedby") + " since " + row.getString("lockgranted")),
            Collectors.toList()))
        .execute()
        .map(SqlResult::value);
  }
}
