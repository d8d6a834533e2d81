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
 * <p>What it reads, and why that way (costs measured on PostgreSQL 17 with 1,000 connections, see
 * {@code LockProbeBench}):
 * <ul>
 *   <li>the backend status snapshot once, through per-backend accessors: only backends of the current
 *       database that are in a transaction are candidates (a session waiting on a lock is always in one: it
 *       is running a statement). The accessors are lookups; {@code pg_stat_activity} would build a full row
 *       (query text included) for every connection, idle ones too.</li>
 *   <li>the candidates' rows from {@code pg_stat_get_activity}, the one source of {@code state},
 *       {@code state_change}, {@code application_name} and {@code backend_type}, whichever way is cheaper:
 *       {@code pg_stat_get_activity(pid)} walks the status array up to that backend (about 4 µs plus 18 ns per
 *       backend before it), {@code pg_stat_get_activity(NULL)} builds every backend's row (about 1.7 µs each).
 *       A few busy sessions are looked up one by one; many in one pass (100 sessions in transactions at the
 *       end of the array cost 2.2 ms one by one, all 1,000 rows 1.7 ms), so the cost stays linear in the number
 *       of connections instead of growing with busy sessions times connections.</li>
 *   <li>{@code pg_blocking_pids()} only for sessions with {@code wait_event_type = 'Lock'}: it takes every
 *       lock-manager partition lock (manual, "System Information Functions"), so calling it for every backend
 *       is what makes naive lock monitoring expensive. For a waiter it reads only the lock it waits for (about
 *       1 µs).</li>
 *   <li>the blockers that are not among the candidates, by pid, whatever their state: an idle session can
 *       block (a session-level advisory lock, a migration tool's lock, outlives its transaction, and so does
 *       one held by a session whose transaction failed), and so can a session of another database.</li>
 *   <li>{@code pg_locks} (the ungranted requests) only when some session waits: the scan sits behind a
 *       one-time {@code EXISTS} filter, so an idle server never reads the lock table. Reading it costs about
 *       0.35 ms with {@code max_connections = 1100} however few locks are held (it walks the lock and predicate
 *       lock tables, sized for every possible backend), plus about 0.4 µs per lock.</li>
 *   <li>relations named by index lookups, for the ungranted requests only (joining {@code pg_locks} to
 *       {@code pg_class} hashed the whole catalog on every poll: 5 ms more with 5,000 tables), with
 *       {@code format('%I.%I', nspname, relname)}: {@code regclass::text} depends on the session's
 *       {@code search_path}.</li>
 *   <li>{@code pg_stat_progress_create_index} and {@code pg_stat_progress_cluster} for progress.</li>
 *   <li>{@code statement_timestamp()}: ages are computed against the server's clock, not the daemon's,
 *       at the start of this statement, so before any of it read the server: a session seen here as
 *       idle in transaction whose {@code state_change} is not after this time has been idle in that
 *       transaction since before the poll (the kill switch's terminate guard relies on it).</li>
 * </ul>
 *
 * <p>Scope: waiting, idle-in-transaction and active sessions of the <em>current database</em> (a target is a
 * database; another target watches the others, and relation locks are per database). A blocker is included
 * wherever it is. Only client backends count as active statements (autovacuum is not a migration).
 * pgvigil's own backend ({@code pg_backend_pid()}) is left out; its other pooled sessions are not (they
 * run short SELECTs, which are neither DDL nor writes).
 *
 * <p>Needs only {@code pg_monitor}: {@code pg_read_all_stats} shows other roles' query text and transaction
 * start, and {@code pg_locks}, {@code pg_roles} and the progress views are readable by anyone. Needs
 * PostgreSQL 14+ ({@code waitstart}).
 */
public final class LockProbe {

  /**
   * Whether the candidates' activity rows are read in one pass rather than one by one: an aggregate over the
   * candidates, each with its place {@code pos} in the status array. Estimated microseconds (PostgreSQL 17,
   * {@code LockProbeBench}): one by one, about 4 plus 0.018 per backend walked past; in one pass, about 1.7
   * per backend. Below 32 candidates one by one wins or loses little, and the backends are not even counted.
   */
  private static final String READ_ALL_RULE =
      "count(*) >= 32 AND sum(4.0 + 0.018 * pos) > 1.7 * (SELECT count(*) FROM pg_stat_get_backend_idset())";

  private static final String TEMPLATE = """
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

  public LockProbe() {
    this(SQL);
  }

  private LockProbe(String sql) {
    this.sql = sql;
  }

  /**
   * For tests: the same query, with the activity rows read in one pass ({@code true}) or one by one
   * ({@code false}) whatever the cost rule would choose.
   */
  static LockProbe readingAll(boolean readAll) {
    return new LockProbe(TEMPLATE.replace("READ_ALL_RULE", readAll ? "count(*) >= 0" : "count(*) < 0"));
  }

  /**
   * Polls once. The client should carry a {@code statement_timeout}; the daemon's sessions do. A prepared
   * query: with {@code PgConnectOptions.setCachePreparedStatements(true)} the server plans it once per
   * connection instead of on every poll (planning this query costs about as much as running it).
   */
  public Future<LockSnapshot> poll(SqlClient client) {
    return client.preparedQuery(sql)
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
