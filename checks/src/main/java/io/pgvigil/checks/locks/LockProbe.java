package io.pgvigil.checks.locks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live lock watch of one target, cheap enough to run every 250 ms in a migration window when it matters
 * most: during a pileup. Costs measured with 1,000 connections in BENCHMARKS.md ({@code LockProbeBench}).
 *
 * <p>Every poll runs {@link #SESSIONS}, which never reads {@code pg_locks}:
 * <ul>
 *   <li>Candidates come from the per-backend accessors, which are lookups in the activity snapshot
 *       ({@code pg_stat_activity} would build a full row, query text included, for every connection):
 *       backends of this database in a transaction (a lock waiter always is).</li>
 *   <li>A candidate's {@code pg_stat_get_activity} row costs a walk of the process array (to read its wait
 *       event), so 1,000 rows cost milliseconds. Idle transactions are remembered from the last poll with
 *       their {@code query_start}: one whose {@code query_start} has not moved has run no statement since,
 *       so it is still idle in the same transaction (a fastpath call aside, below) and is not read again.
 *       In a pileup of 1,000 idle transactions only the running and waiting sessions are read. Those rows
 *       are read one by one (about 4 µs plus 18 ns per backend walked past) or in one pass (about 1.7 µs per
 *       backend), whichever is cheaper.</li>
 *   <li>{@code pg_blocking_pids()} only for sessions waiting on a lock: it takes every lock-manager
 *       partition lock (manual, "System Information Functions"). It names the waiters ahead in the queue
 *       too, which is how the queue behind a waiting request is known without {@code pg_locks}.</li>
 *   <li>Blockers are read by pid, whatever their state: an idle session can hold a session-level advisory
 *       lock, and a blocker can be in another database.</li>
 *   <li>Returned: waiters, blockers, idle transactions read, and active client backends whose statement
 *       has run at least the statement age given (the lowest threshold that can report it: the filter is in
 *       the server, not in the daemon) or that report index-build or CLUSTER progress.</li>
 * </ul>
 *
 * <p>What a waiter asked for (mode, relation, wait start) is only in {@code pg_locks}, a view over
 * {@code pg_lock_status()}, which walks the whole lock table whatever the {@code WHERE} clause: with 50,000
 * locks held that costs more than postgres_exporter's whole query. But a request does not change while its
 * backend waits, so {@link #REQUESTS} reads it once per wait episode (pid, {@code backend_start},
 * {@code query_start}, {@code wait_event}; see {@link WaitRequests}), and at once only for queue heads:
 * waiters that hold someone up or wait for a session that does not wait. The sessions queued behind a
 * head, arriving every poll in a pileup, do not cost a walk each: they are read with the next head, or
 * {@code refresh} after the last read. The trade-offs:
 * <ul>
 *   <li>Until read, a queued session reports the lock type of its wait event, no mode and no relation, and
 *       its wait counted from its statement's start (an upper bound: a relation lock is taken as the
 *       statement starts, a row lock may come later). Queue depth and membership need no read.</li>
 *   <li>A statement that waits for two locks of the same type in turn (ALTER TABLE … REFERENCES waits for
 *       its table, then the referenced one) between two polls is the same episode: it is read again only if
 *       a new blocker shows, which the second wait almost always has.</li>
 *   <li>A running statement younger than the statement age is not returned unless it waits, blocks or
 *       reports progress: a short DDL shows up as it waits or once it has run that long.</li>
 *   <li>A fastpath function call (the large-object functions of libpq and pgjdbc) is no statement:
 *       {@code pgstat_report_activity(STATE_FASTPATH, NULL)} changes the state but not {@code query_start}
 *       (backend_status.c). A known idle transaction that makes one is taken as still idle until its next
 *       statement or the next full read: every {@code refresh} one poll reads the known idle transactions
 *       again, so a lock wait inside such a call is seen within {@code refresh}. The per-backend accessors
 *       expose no state or state-change time to tell it sooner without a walk of the process array per
 *       backend; the kill switch is not misled (it checks the state again).</li>
 *   <li>The probe keeps state (one instance per target, one poll at a time), and a first poll, or one after
 *       many sessions changed, reads every changed session. A read of requests costs a second round trip.</li>
 *   <li>Relations are named by index lookups for the requests read only (a join to {@code pg_class} cost
 *       5 ms more with 5,000 tables), with {@code format('%I.%I')}: {@code regclass::text} depends on
 *       {@code search_path}.</li>
 * </ul>
 *
 * <p>Ages are computed against {@code statement_timestamp()}, the server's clock before it read anything: a
 * session seen idle in transaction whose {@code state_change} is not after it has been idle since before the
 * poll (the kill switch's terminate guard relies on it; a remembered one still is, see above). Scope:
 * sessions of the current database (relation locks are per database), their blockers wherever they are;
 * never pgvigil's own backend. Needs {@code pg_monitor} and PostgreSQL 14+ ({@code waitstart}).
 */
public final class LockProbe {

  /** How often at most queued sessions (not heads) cost a read of {@code pg_locks}. */
  public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(5);

  /** Read all rows in one pass when that is estimated cheaper in µs (see the class comment). */
  private static final String READ_ALL_RULE =
      "count(*) >= 32 AND sum(4.0 + 0.018 * pos) > 1.7 * (SELECT count(*) FROM pg_stat_get_backend_idset())";

  /**
   * $1: the statement age in seconds from which an active session is returned; $2, $3: pids and
   * {@code query_start} of the sessions known idle in transaction.
   */
  static final String TEMPLATE = """
      WITH here AS MATERIALIZED (
        SELECT oid FROM pg_database WHERE datname = current_database()
      ),
      accessed AS MATERIALIZED (
        -- pos: the backend's place in the status array, which pg_stat_get_activity(pid) walks.
        SELECT pg_stat_get_backend_pid(b.id) AS pid, b.pos, pg_stat_get_backend_activity_start(b.id) AS query_start
          FROM pg_stat_get_backend_idset() WITH ORDINALITY AS b(id, pos)
         WHERE pg_stat_get_backend_xact_start(b.id) IS NOT NULL
           AND pg_stat_get_backend_dbid(b.id) = (SELECT oid FROM here)
           AND pg_stat_get_backend_pid(b.id) <> pg_backend_pid()
      ),
      seen AS MATERIALIZED (
        -- unchanged: known idle in transaction, and no statement since: still idle in the same transaction.
        -- IN, not a join: a hashed subplan whatever the estimates of a generic plan (a nested loop over
        -- 1,000 by 1,000 rows costs milliseconds).
        SELECT pid, pos,
               coalesce((pid, query_start) IN (SELECT * FROM unnest($2::int[], $3::timestamptz[])), false)
                 AS unchanged
          FROM accessed
      ),
      unchanged AS (
        SELECT pid FROM seen WHERE unchanged
      ),
      candidates AS (
        SELECT pid, pos FROM seen WHERE NOT unchanged
      ),
      lookup AS (
        SELECT READ_ALL_RULE AS read_all
          FROM candidates
      ),
      busy AS MATERIALIZED (
        SELECT a.pid, a.datid, a.usesysid, a.application_name, a.backend_type, a.state,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, left(a.query, 200) AS query,
               -- Here, not in a join: a generic plan nested-loops joins of CTEs (500 waiters: 250,000 rows).
               CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) END AS blocked_by
          FROM (SELECT pid FROM candidates WHERE NOT (SELECT read_all FROM lookup)
                UNION ALL
                SELECT NULL WHERE (SELECT read_all FROM lookup)) c  -- NULL: every backend, in one pass
         CROSS JOIN LATERAL pg_stat_get_activity(c.pid) a
         WHERE a.pid IN (SELECT pid FROM candidates) AND a.state IS DISTINCT FROM 'idle'
      ),
      blockers AS MATERIALIZED (
        SELECT DISTINCT unnest(blocked_by) AS pid FROM busy
      ),
      elsewhere AS (
        -- Blockers not read yet: idle in transaction (read again if known: one row), idle (a session-level
        -- advisory lock), in a failed transaction (idem), in another database. Pid 0 is a prepared
        -- transaction: no backend to read.
        SELECT a.pid, a.datid, a.usesysid, a.application_name, a.backend_type, a.state,
               a.backend_start, a.xact_start, a.query_start, a.state_change,
               a.wait_event_type, a.wait_event, left(a.query, 200) AS query, NULL::int[] AS blocked_by
          FROM blockers
         CROSS JOIN LATERAL pg_stat_get_activity(blockers.pid) a
         WHERE blockers.pid NOT IN (SELECT pid FROM busy) AND blockers.pid <> pg_backend_pid() AND blockers.pid > 0
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
               a.wait_event_type, a.wait_event, a.query, a.blocked_by,
               p.command, p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total,
               p.progress_relation, p.progress_index
          FROM (SELECT * FROM busy UNION ALL SELECT * FROM elsewhere) a
          LEFT JOIN pg_database d ON d.oid = a.datid
          LEFT JOIN pg_roles r ON r.oid = a.usesysid
          LEFT JOIN named_progress p ON p.pid = a.pid
         WHERE a.blocked_by IS NOT NULL
            OR a.pid IN (SELECT pid FROM blockers)
            OR a.state IN ('idle in transaction', 'idle in transaction (aborted)')
            OR (a.state = 'active' AND a.backend_type = 'client backend'
                AND (a.query_start <= statement_timestamp() - make_interval(secs => $1) OR p.pid IS NOT NULL))
      )
      SELECT clock.server_time, clock.current_database,
             CASE WHEN row_number() OVER () = 1 THEN (SELECT array_agg(pid) FROM unchanged) END AS unchanged,
             involved.*
        FROM (SELECT statement_timestamp() AS server_time, current_database() AS current_database) clock
        LEFT JOIN involved ON true
      """;

  /** Every poll: the sessions, without their requests. $1: statement age in seconds. */
  static final String SESSIONS = TEMPLATE.replace("READ_ALL_RULE", READ_ALL_RULE);

  /** Once per wait episode: the requests of the waiters in $1 (see the class comment). */
  static final String REQUESTS = """
      SELECT DISTINCT ON (l.pid) l.pid, l.locktype, l.mode, l.waitstart,
             (SELECT format('%I.%I', n.nspname, c.relname)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.oid = l.relation
                 AND l.database IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
             ) AS relation
        FROM pg_locks l
       WHERE NOT l.granted AND l.pid = ANY($1::int[])
       ORDER BY l.pid, l.waitstart
      """;

  private final String sql;
  private final double statementAgeSeconds;
  private final WaitRequests requests;
  private final long refreshNanos;
  /** When the known idle transactions were last all read again (System.nanoTime()). */
  private long fullRead = System.nanoTime();
  /** The idle transactions of the last poll, by pid. */
  private Map<Integer, Session> idle = Map.of();
  private int reads;

  /** Returns every active session, reads queued sessions' requests at most every 5 s. */
  public LockProbe() {
    this(Duration.ZERO, DEFAULT_REFRESH);
  }

  /**
   * @param statementAge the lowest threshold a running statement is measured against: younger ones are
   *                     not returned (unless they wait, block or report progress)
   * @param refresh      how often at most sessions queued behind a head cost a read of {@code pg_locks}
   */
  public LockProbe(Duration statementAge, Duration refresh) {
    this(SESSIONS, statementAge, refresh);
  }

  LockProbe(String sql, Duration statementAge, Duration refresh) {
    if (statementAge.isNegative() || refresh.isNegative()) {
      throw new IllegalArgumentException(
          "statementAge was " + statementAge + " and refresh " + refresh + " but both must be >= 0");
    }
    this.sql = sql;
    this.statementAgeSeconds = statementAge.toNanos() / 1e9;
    this.requests = new WaitRequests(refresh);
    this.refreshNanos = refresh.toNanos();
  }

  /**
   * Polls once (one round trip, two when a request is read); the client should carry a
   * {@code statement_timeout}. Prepared: planning costs about as much as running, and with
   * {@code setCachePreparedStatements(true)} it is planned once per connection. One poll at a time.
   */
  public Future<LockSnapshot> poll(SqlClient client) {
    Map<Integer, Session> known = idle;
    return client.preparedQuery(sql)
        .mapping(LockProbe::toRow)
        .execute(parameters())
        .compose(rows -> {
          LockSnapshot seen = snapshot(rows, known);
          List<Session> unknown = requests.toRead(seen);
          if (unknown.isEmpty()) {
            return Future.succeededFuture(withRequests(seen, Map.of()));
          }
          reads++;
          Integer[] pids = unknown.stream().map(Session::pid).toArray(Integer[]::new);
          return client.preparedQuery(REQUESTS)
              .mapping(row -> Map.entry(row.getInteger("pid"), new LockRequest(row.getString("locktype"),
                  row.getString("relation"), row.getString("mode"), row.getOffsetDateTime("waitstart"))))
              .execute(Tuple.of((Object) pids))
              .map(read -> {
                Map<Integer, LockRequest> byPid = new HashMap<>();
                read.forEach(entry -> byPid.put(entry.getKey(), entry.getValue()));
                requests.read(seen, unknown, byPid);
                return withRequests(seen, byPid);
              });
        });
  }

  /**
   * The sessions read, and the idle transactions known from earlier polls that the server found unchanged;
   * remembers the idle transactions for the next poll.
   */
  private LockSnapshot snapshot(Iterable<SnapshotRow> rows, Map<Integer, Session> known) {
    OffsetDateTime serverTime = null;
    String database = null;
    Map<Integer, Session> sessions = new LinkedHashMap<>();
    List<Integer> unchanged = List.of();
    for (SnapshotRow row : rows) {
      serverTime = row.serverTime();
      database = row.database();
      if (row.unchanged() != null) {
        unchanged = row.unchanged();
      }
      if (row.session() != null) {
        sessions.put(row.session().pid(), row.session());
      }
    }
    Map<Integer, Session> stillIdle = new HashMap<>();
    for (int pid : unchanged) {
      Session session = known.get(pid);
      if (session != null) {
        stillIdle.put(pid, session);
        sessions.putIfAbsent(pid, session);
      }
    }
    for (Session session : sessions.values()) {
      if (database != null && database.equals(session.database()) && session.state() != null
          && session.state().startsWith("idle in transaction")) {
        stillIdle.put(session.pid(), session);
      }
    }
    idle = stillIdle;
    return new LockSnapshot(serverTime, database, List.copyOf(sessions.values()));
  }

  /** The parameters of {@link #SESSIONS} for the next poll. */
  Tuple parameters() {
    long now = System.nanoTime();
    if (now - fullRead >= refreshNanos) {
      // Every refresh the known idle transactions are read again (a fastpath call inside one, see above).
      fullRead = now;
      return Tuple.of(statementAgeSeconds, new Integer[0], new OffsetDateTime[0]);
    }
    Integer[] pids = idle.keySet().toArray(Integer[]::new);
    OffsetDateTime[] starts = Arrays.stream(pids).map(pid -> idle.get(pid).queryStart())
        .toArray(OffsetDateTime[]::new);
    return Tuple.of(statementAgeSeconds, pids, starts);
  }

  /** How many polls read {@code pg_locks} so far. */
  int reads() {
    return reads;
  }

  /** Each waiter with its request: just read, known, or what its wait event tells (see the class comment). */
  private LockSnapshot withRequests(LockSnapshot seen, Map<Integer, LockRequest> read) {
    List<Session> sessions = new ArrayList<>();
    for (Session s : seen.sessions()) {
      if (!s.waitingOnLock()) {
        sessions.add(s);
        continue;
      }
      LockRequest request = read.getOrDefault(s.pid(), requests.request(s));
      if (request == null) {
        request = new LockRequest(s.waitEvent(), null, null, s.queryStart());
      }
      sessions.add(new Session(s.pid(), s.user(), s.applicationName(), s.database(), s.backendType(), s.state(),
          s.backendStart(), s.xactStart(), s.queryStart(), s.stateChange(), s.waitEventType(), s.waitEvent(),
          s.query(), s.blockedBy(), request, s.progress()));
    }
    return new LockSnapshot(seen.serverTime(), seen.database(), sessions);
  }

  /**
   * One result row: the server clock, and a session unless nothing is involved; the first row also the
   * known idle transactions found unchanged.
   */
  private record SnapshotRow(OffsetDateTime serverTime, String database, List<Integer> unchanged,
      Session session) {}

  private static SnapshotRow toRow(Row row) {
    OffsetDateTime serverTime = row.getOffsetDateTime("server_time");
    String database = row.getString("current_database");
    Integer[] kept = row.getArrayOfIntegers("unchanged");
    List<Integer> unchanged = kept == null ? null : Arrays.asList(kept);
    Integer pid = row.getInteger("pid");
    if (pid == null) {
      return new SnapshotRow(serverTime, database, unchanged, null);
    }
    Integer[] blockedBy = row.getArrayOfIntegers("blocked_by");
    String command = row.getString("command");
    Progress progress = command == null ? null : Progress.of(command, row.getString("phase"),
        row.getLong("blocks_done"), row.getLong("blocks_total"), row.getLong("tuples_done"),
        row.getLong("tuples_total"), row.getString("progress_relation"), row.getString("progress_index"));
    return new SnapshotRow(serverTime, database, unchanged, new Session(pid, row.getString("usename"),
        row.getString("application_name"), row.getString("datname"), row.getString("backend_type"),
        row.getString("state"), row.getOffsetDateTime("backend_start"), row.getOffsetDateTime("xact_start"),
        row.getOffsetDateTime("query_start"), row.getOffsetDateTime("state_change"), row.getString("wait_event_type"),
        row.getString("wait_event"), row.getString("query"), blockedBy == null ? List.of() : Arrays.asList(blockedBy),
        null, progress));
  }
}
