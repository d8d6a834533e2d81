package io.pgvigil.checks.locks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The lock poll before {@link LockProbe} cached waiters' requests: one stateless query that reads {@code pg_locks}
 * in full whenever anyone waits and returns every active and idle-in-transaction session. Kept for the tests that
 * compare the two on the same stall and for {@code LockProbeBench}. The read-all rule and the rest are as
 * {@link LockProbe}'s comment describes.
 */
final class FullLockProbe {

  /** Read all rows in one pass when that is estimated cheaper in µs (see the class comment). */
  private static final String READ_ALL_RULE =
      "count(*) >= 32 AND sum(4.0 + 0.018 * pos) > 1.7 * (SELECT count(*) FROM pg_stat_get_backend_idset())";

  static final String TEMPLATE = """
      WITH here AS MATERIALIZED (
        SELECT oid FROM pg_database WHERE datname = current_database()
      ),
      candidates AS MATERIALIZED (
        -- pos: the backend's place in the status array, which pg_stat_get_activity(pid) walks.
        SELECT pg_stat_get_backend_pid(b.id) AS pid, b.pos
          FROM pg_stat_get_backend_idset() WITH ORDINALITY AS b(id, pos)
         WHERE pg_stat_get_backend_xact_start(b.id) IS NOT NULL
           AND pg_stat_get_backend_dbid(b.id) = (SELECT oid FROM here)
           AND pg_stat_get_backend_pid(b.id) <> pg_backend_pid()
      ),
      lookup AS (
        SELECT READ_ALL_RULE AS read_all
          FROM candidates
      ),
      busy AS MATERIALIZED (
        SELECT a.pid, a.datid, a.usesysid, a.application_name, a.backend_type, a.state,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, left(a.query, 200) AS query
          FROM (SELECT pid FROM candidates WHERE NOT (SELECT read_all FROM lookup)
                UNION ALL
                SELECT NULL WHERE (SELECT read_all FROM lookup)) c  -- NULL: every backend, in one pass
         CROSS JOIN LATERAL pg_stat_get_activity(c.pid) a
         WHERE a.pid IN (SELECT pid FROM candidates) AND a.state IS DISTINCT FROM 'idle'
      ),
      waiting AS MATERIALIZED (
        SELECT pid, pg_blocking_pids(pid) AS blocked_by
          FROM busy
         WHERE wait_event_type = 'Lock'
      ),
      elsewhere AS (
        -- Blockers not read yet: idle (a session-level advisory lock), in a failed transaction
        -- (idem), in another database. Pid 0 is a prepared transaction: no backend to read.
        SELECT a.pid, a.datid, a.usesysid, a.application_name, a.backend_type, a.state,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, left(a.query, 200) AS query
          FROM (SELECT DISTINCT unnest(blocked_by) AS pid FROM waiting) blocker
         CROSS JOIN LATERAL pg_stat_get_activity(blocker.pid) a
         WHERE blocker.pid NOT IN (SELECT pid FROM busy) AND blocker.pid <> pg_backend_pid() AND blocker.pid > 0
      ),
      activity AS (
        SELECT * FROM busy UNION ALL SELECT * FROM elsewhere
      ),
      requests AS (
        SELECT DISTINCT ON (l.pid) l.pid, l.locktype, l.mode, l.waitstart,
               (SELECT format('%I.%I', n.nspname, c.relname)
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.oid = l.relation AND l.database IN (0, (SELECT oid FROM here))) AS relation
          FROM pg_locks l
         WHERE NOT l.granted AND EXISTS (SELECT 1 FROM waiting)
         ORDER BY l.pid, l.waitstart
      ),
      progress AS (
        SELECT pid, command, phase, blocks_done, blocks_total, tuples_done, tuples_total,
               relid, index_relid AS index_oid
          FROM pg_stat_progress_create_index
         WHERE datname = current_database()
        UNION ALL
        SELECT pid, command, phase, heap_blks_scanned, heap_blks_total, heap_tuples_scanned, NULL,
               relid, cluster_index_relid
          FROM pg_stat_progress_cluster
         WHERE datname = current_database()
      ),
      named_progress AS (
        SELECT p.*,
               CASE WHEN t.oid IS NOT NULL THEN format('%I.%I', tn.nspname, t.relname) END AS progress_relation,
               CASE WHEN i.oid IS NOT NULL THEN format('%I.%I', inn.nspname, i.relname) END AS progress_index
          FROM progress p
          LEFT JOIN pg_class t ON t.oid = p.relid
          LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
          LEFT JOIN pg_class i ON i.oid = p.index_oid
          LEFT JOIN pg_namespace inn ON inn.oid = i.relnamespace
      ),
      involved AS (
        SELECT a.pid, d.datname, r.rolname AS usename, a.application_name, a.backend_type, a.state,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, a.query,
               w.blocked_by, q.locktype, q.mode, q.relation, q.waitstart,
               p.command, p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total,
               p.progress_relation, p.progress_index
          FROM activity a
          LEFT JOIN pg_database d ON d.oid = a.datid
          LEFT JOIN pg_roles r ON r.oid = a.usesysid
          LEFT JOIN waiting w ON w.pid = a.pid
          LEFT JOIN requests q ON q.pid = a.pid
          LEFT JOIN named_progress p ON p.pid = a.pid
         WHERE w.pid IS NOT NULL
            OR a.pid IN (SELECT unnest(blocked_by) FROM waiting)
            OR a.state IN ('idle in transaction', 'idle in transaction (aborted)')
            OR (a.state = 'active' AND a.backend_type = 'client backend')
      )
      SELECT clock.server_time, clock.current_database, involved.*
        FROM (SELECT statement_timestamp() AS server_time, current_database() AS current_database) clock
        LEFT JOIN involved ON true
      """;

  static final String SQL = TEMPLATE.replace("READ_ALL_RULE", READ_ALL_RULE);

  private final String sql;

  FullLockProbe() {
    this(SQL);
  }

  FullLockProbe(String sql) {
    this.sql = sql;
  }

  /**
   * Polls once; the client should carry a {@code statement_timeout}. Prepared: planning costs about as much as
   * running, and with {@code setCachePreparedStatements(true)} it is planned once per connection.
   */
  public Future<LockSnapshot> poll(SqlClient client) {
    return client.preparedQuery(sql)
        .mapping(FullLockProbe::toRow)
        .execute()
        .map(rows -> {
          OffsetDateTime serverTime = null;
          String database = null;
          List<Session> sessions = new ArrayList<>();
          for (SnapshotRow row : rows) {
            serverTime = row.serverTime();
            database = row.database();
            if (row.session() != null) {
              sessions.add(row.session());
            }
          }
          return new LockSnapshot(serverTime, database, sessions);
        });
  }

  /** One result row: the server clock, and a session unless nothing is involved. */
  private record SnapshotRow(OffsetDateTime serverTime, String database, Session session) {}

  private static SnapshotRow toRow(Row row) {
    OffsetDateTime serverTime = row.getOffsetDateTime("server_time");
    String database = row.getString("current_database");
    Integer pid = row.getInteger("pid");
    if (pid == null) {
      return new SnapshotRow(serverTime, database, null);
    }
    Integer[] blockedBy = row.getArrayOfIntegers("blocked_by");
    String mode = row.getString("mode");
    LockRequest request = mode == null ? null : new LockRequest(row.getString("locktype"),
        row.getString("relation"), mode, row.getOffsetDateTime("waitstart"));
    String command = row.getString("command");
    Progress progress = command == null ? null : Progress.of(command, row.getString("phase"),
        row.getLong("blocks_done"), row.getLong("blocks_total"), row.getLong("tuples_done"),
        row.getLong("tuples_total"), row.getString("progress_relation"), row.getString("progress_index"));
    return new SnapshotRow(serverTime, database, new Session(pid, row.getString("usename"),
        row.getString("application_name"), row.getString("datname"), row.getString("backend_type"),
        row.getString("state"), row.getOffsetDateTime("backend_start"), row.getOffsetDateTime("xact_start"),
        row.getOffsetDateTime("query_start"), row.getOffsetDateTime("state_change"), row.getString("wait_event_type"),
        row.getString("wait_event"), row.getString("query"), blockedBy == null ? List.of() : Arrays.asList(blockedBy),
        request, progress));
  }
}
