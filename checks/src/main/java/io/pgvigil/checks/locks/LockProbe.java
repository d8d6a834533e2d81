package io.pgvigil.checks.locks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live lock watch: one query per poll, cheap enough to run every second (every 250 ms in a
 * migration window) against production.
 *
 * <p>What it reads, and why that way:
 * <ul>
 *   <li>{@code pg_stat_activity} once (a MATERIALIZED CTE), without the idle sessions (most of a big
 *       pool), cut to 200 characters of query text. An idle session can still block: a session-level
 *       advisory lock (a migration tool's lock) outlives its transaction, so idle blockers are looked up
 *       again, only when some session waits.</li>
 *   <li>{@code pg_blocking_pids()} only for sessions with {@code wait_event_type = 'Lock'}: each call takes
 *       every lock-manager partition lock (manual, "System Information Functions"), so calling it for
 *       every backend is what makes naive lock monitoring expensive.</li>
 *   <li>{@code pg_locks} (the ungranted requests) only when some session waits: the scan sits behind a
 *       one-time {@code EXISTS} filter, so an idle server never reads the lock table.</li>
 *   <li>relations named with {@code format('%I.%I', nspname, relname)}: {@code regclass::text} depends on
 *       the session's {@code search_path}.</li>
 *   <li>{@code pg_stat_progress_create_index} and {@code pg_stat_progress_cluster} for progress.</li>
 *   <li>{@code clock_timestamp()}: ages are computed against the server's clock, not the daemon's.</li>
 * </ul>
 *
 * <p>Scope: waiting, idle-in-transaction and active sessions of the <em>current database</em> (a target is a
 * database; another target watches the others, and relation locks are per database). A blocker is included
 * wherever it is. Only client backends count as active statements (autovacuum is not a migration).
 * pgvigil's own backend ({@code pg_backend_pid()}) is left out; its other pooled sessions are not (they
 * run short SELECTs, which are neither DDL nor writes).
 *
 * <p>Needs only {@code pg_monitor}: {@code pg_read_all_stats} shows other roles' query text, and
 * {@code pg_locks} and the progress views are readable by anyone. Needs PostgreSQL 14+ ({@code waitstart}).
 */
public final class LockProbe {

  static final String SQL = """
      WITH candidates AS MATERIALIZED (
        -- Per-backend accessors are lookups in the status snapshot; pg_stat_activity would build
        -- a full row (query text included) for every connection, idle ones too: with 1,000
        -- connections that was most of the poll. Only sessions in a transaction (active or idle
        -- in one) can matter, and a session waiting on a lock is always in one (it is running a
        -- statement), so one accessor per backend is enough.
        SELECT pg_stat_get_backend_pid(b.id) AS pid
          FROM pg_stat_get_backend_idset() AS b(id)
         WHERE pg_stat_get_backend_xact_start(b.id) IS NOT NULL
      ),
      busy AS MATERIALIZED (
        SELECT a.pid, d.datname, r.rolname AS usename, a.application_name, a.backend_type, a.state,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, left(a.query, 200) AS query
          FROM candidates c
          CROSS JOIN LATERAL pg_stat_get_activity(c.pid) a
          LEFT JOIN pg_database d ON d.oid = a.datid
          LEFT JOIN pg_roles r ON r.oid = a.usesysid
         WHERE a.pid <> pg_backend_pid() AND a.state IS DISTINCT FROM 'idle'
      ),
      waiting AS MATERIALIZED (
        SELECT pid, pg_blocking_pids(pid) AS blocked_by
          FROM busy
         WHERE wait_event_type = 'Lock' AND datname = current_database()
      ),
      idle_blockers AS (
        SELECT a.pid, d.datname, r.rolname AS usename, a.application_name, a.backend_type, a.state,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, left(a.query, 200) AS query
          FROM (SELECT DISTINCT unnest(blocked_by) AS pid FROM waiting) blocker
          CROSS JOIN LATERAL pg_stat_get_activity(blocker.pid) a
          LEFT JOIN pg_database d ON d.oid = a.datid
          LEFT JOIN pg_roles r ON r.oid = a.usesysid
         WHERE a.state = 'idle'
      ),
      activity AS (
        SELECT * FROM busy UNION ALL SELECT * FROM idle_blockers
      ),
      here AS (
        SELECT oid FROM pg_database WHERE datname = current_database()
      ),
      requests AS (
        SELECT DISTINCT ON (l.pid) l.pid, l.locktype, l.mode, l.waitstart,
               CASE WHEN c.oid IS NOT NULL THEN format('%I.%I', n.nspname, c.relname) END AS relation
          FROM pg_locks l
          LEFT JOIN pg_class c ON c.oid = l.relation AND l.database IN (0, (SELECT oid FROM here))
          LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
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
        SELECT a.*, w.blocked_by, r.locktype, r.mode, r.relation, r.waitstart,
               p.command, p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total,
               p.progress_relation, p.progress_index
          FROM activity a
          LEFT JOIN waiting w ON w.pid = a.pid
          LEFT JOIN requests r ON r.pid = a.pid
          LEFT JOIN named_progress p ON p.pid = a.pid
         WHERE w.pid IS NOT NULL
            OR a.pid IN (SELECT unnest(blocked_by) FROM waiting)
            OR (a.datname = current_database()
                AND (a.state IN ('idle in transaction', 'idle in transaction (aborted)')
                     OR (a.state = 'active' AND a.backend_type = 'client backend')))
      )
      SELECT clock.server_time, clock.current_database, involved.*
        FROM (SELECT clock_timestamp() AS server_time, current_database() AS current_database) clock
        LEFT JOIN involved ON true
      """;

  /**
   * Polls once. The client should carry a {@code statement_timeout}; the daemon's sessions do. A prepared
   * query: with {@code PgConnectOptions.setCachePreparedStatements(true)} the server plans it once per
   * connection instead of on every poll (planning this query costs about as much as running it).
   */
  public Future<LockSnapshot> poll(SqlClient client) {
    return client.preparedQuery(SQL)
        .mapping(LockProbe::toRow)
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
    return new SnapshotRow(serverTime, database, new Session(
        pid,
        row.getString("usename"),
        row.getString("application_name"),
        row.getString("datname"),
        row.getString("backend_type"),
        row.getString("state"),
        row.getOffsetDateTime("backend_start"),
        row.getOffsetDateTime("xact_start"),
        row.getOffsetDateTime("query_start"),
        row.getOffsetDateTime("state_change"),
        row.getString("wait_event_type"),
        row.getString("wait_event"),
        row.getString("query"),
        blockedBy == null ? List.of() : Arrays.asList(blockedBy),
        request,
        progress));
  }
}
