package io.pgvigil.checks.locks;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * What one lock poll costs in the server during a pileup, beside the usual ways of watching locks, all in the
 * same run: 1,000 sessions held by the bench's own JDBC connections ({@code max_connections = 1100}).
 * <ul>
 *   <li>idle: 1,000 idle connections, nobody in a transaction;</li>
 *   <li>B: the 1,000 inside transactions that each touched 1 table (~3,000 locks), one idle-in-transaction
 *       holder, an {@code ALTER TABLE} waiting for it, 16 readers queued behind the ALTER;</li>
 *   <li>A: the same with each of the 1,000 having touched 25 tables (~50,000 locks);</li>
 *   <li>C: A with 500 of the 1,000 also queued behind the ALTER (a read of the altered table in their
 *       transaction).</li>
 * </ul>
 * The server time of each query is its {@code EXPLAIN ANALYZE} execution time, median of 15 runs, the queries
 * taking turns so that other work on the machine falls on all alike. The probe's steady-state poll is
 * {@link LockProbe#SESSIONS} alone (every waiter's request known: as in a stall, polled every 250 ms); its
 * first poll of a new wait episode adds {@link LockProbe#REQUESTS}. Not a test: run it with
 * {@code mvn -B -pl checks test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.pgvigil.checks.locks.LockProbeBench} ({@code -Dbench.regimes=idle,B,A,C} by default).
 */
public final class LockProbeBench {

  /** postgres_exporter's pg_locks collector: locks per database and mode (collector/pg_locks.go). */
  private static final String EXPORTER_SQL = """
      SELECT pg_database.datname, tmp.mode, COALESCE(count, 0) AS count
        FROM (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'), ('shareupdateexclusivelock'),
                     ('sharelock'), ('sharerowexclusivelock'), ('exclusivelock'), ('accessexclusivelock'),
                     ('sireadlock')) AS tmp(mode)
       CROSS JOIN pg_database
        LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS count
                     FROM pg_locks WHERE database IS NOT NULL
                    GROUP BY database, lower(mode)) AS tmp2
          ON tmp.mode = tmp2.mode AND pg_database.oid = tmp2.database
       ORDER BY 1
      """;

  /** The PostgreSQL wiki's "Lock Monitoring" blocking-locks query: pg_locks joined to itself. */
  private static final String SELF_JOIN_SQL =
      """
          SELECT blocked_locks.pid AS blocked_pid, blocked_activity.usename AS blocked_user,
                 blocking_locks.pid AS blocking_pid, blocking_activity.usename AS blocking_user,
                 blocked_activity.query AS blocked_statement, blocking_activity.query AS current_statement_in_blocking_process
            FROM pg_catalog.pg_locks blocked_locks
            JOIN pg_catalog.pg_stat_activity blocked_activity ON blocked_activity.pid = blocked_locks.pid
            JOIN pg_catalog.pg_locks blocking_locks
                 ON blocking_locks.locktype = blocked_locks.locktype
                AND blocking_locks.database IS NOT DISTINCT FROM blocked_locks.database
                AND blocking_locks.relation IS NOT DISTINCT FROM blocked_locks.relation
                AND blocking_locks.page IS NOT DISTINCT FROM blocked_locks.page
                AND blocking_locks.tuple IS NOT DISTINCT FROM blocked_locks.tuple
                AND blocking_locks.virtualxid IS NOT DISTINCT FROM blocked_locks.virtualxid
                AND blocking_locks.transactionid IS NOT DISTINCT FROM blocked_locks.transactionid
                AND blocking_locks.classid IS NOT DISTINCT FROM blocked_locks.classid
                AND blocking_locks.objid IS NOT DISTINCT FROM blocked_locks.objid
                AND blocking_locks.objsubid IS NOT DISTINCT FROM blocked_locks.objsubid
                AND blocking_locks.pid != blocked_locks.pid
            JOIN pg_catalog.pg_stat_activity blocking_activity ON blocking_activity.pid = blocking_locks.pid
           WHERE NOT blocked_locks.granted
          """;

  private static final int SESSIONS = 1000;
  private static final int READERS = 16;
  private static final int TABLES = 25;
  private static final int QUEUED = 500;
  private static final int RUNS = 15;
  private static final double STATEMENT_AGE = LockAnalysis.DEFAULT_WRITE_THRESHOLD.toNanos() / 1e9;
  private static final String BLOCKING_PIDS_SQL = "SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity";
  private static final String COUNT_SQL = "SELECT count(*) FROM pg_locks";
  /** The least a poll that finds lock waiters does: look at every backend's wait event. */
  private static final String WAITING_SQL = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'";
  /** Who is inside a transaction, from the per-backend accessors alone (no activity row). */
  private static final String IN_TRANSACTION_SQL = "SELECT count(*) FROM pg_stat_get_backend_idset() b "
      + "WHERE pg_stat_get_backend_xact_start(b) IS NOT NULL";
  private static final String WAITERS_SQL =
      "SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity WHERE wait_event_type = 'Lock'";

  private LockProbeBench() {}

  public static void main(String[] args) throws Exception {
    List<String> regimes = List.of(System.getProperty("bench.regimes", "idle,B,A,C").split(","));
    ExecutorService workers = Executors.newFixedThreadPool(8, daemon());
    ExecutorService blocked = Executors.newCachedThreadPool(daemon());
    List<Connection> connections = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache())
        .setting("max_connections", "1100").setting("max_locks_per_transaction", "128").start()) {
      String url = server.jdbcUrl("postgres");
      try (Connection setup = DriverManager.getConnection(url); Statement statement = setup.createStatement()) {
        statement.execute("CREATE TABLE orders (id int PRIMARY KEY, v int NOT NULL)");
        statement.execute("INSERT INTO orders SELECT g, 0 FROM generate_series(1, 1000) g");
        for (int t = 1; t <= TABLES; t++) {
          statement.execute("CREATE TABLE busy_" + t + " (id int PRIMARY KEY, v int)");
        }
      }
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
          .connectingTo(new PgConnectOptions().setHost(server.host()).setPort(server.port()).setDatabase("postgres")
              .setUser("postgres").setCachePreparedStatements(true).setPreparedStatementCacheSqlFilter(sql -> true)
              .addProperty("application_name", "pgvigil")
              .addProperty("statement_timeout", "30000"))
          .using(vertx).build();

      List<Connection> sessions = all(workers, SESSIONS, () -> open(url, connections));
      System.out.println();
      System.out.printf(Locale.ROOT, "PostgreSQL %d, %,d connections (max_connections = 1100). Server time: EXPLAIN "
          + "ANALYZE execution time, median of %d, queries taking turns; ms.%n", TestServers.major(),
          connections.size(), RUNS);
      System.out.println();
      System.out.println("| regime | locks | waiting | pgvigil steady poll | pgvigil first poll of a wait episode "
          + "(steady + requests) | pgvigil cold first poll (cold + requests) | old probe | postgres_exporter "
          + "| wiki self-join | pg_blocking_pids, every backend | count(*) pg_locks | waiters among all backends "
          + "| backends in a transaction (accessors) | steady / exporter "
          + "| steady / self-join | episode / exporter | episode / self-join |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      if (regimes.contains("idle")) {
        row("idle", pool);
      }
      if (!(regimes.contains("A") || regimes.contains("B") || regimes.contains("C"))) {
        return;
      }
      // B: every session inside a transaction that touched one table; then the stall.
      all(workers, sessions, session -> {
        session.setAutoCommit(false);
        session.createStatement().execute("SELECT 1 FROM busy_1 LIMIT 0");
      });
      Connection holder = open(url, connections);
      holder.setAutoCommit(false);
      holder.createStatement().execute("UPDATE orders SET v = v + 1 WHERE id = 1");
      Connection alter = open(url, connections);
      blocked.submit(() -> alter.createStatement().execute("ALTER TABLE orders ADD COLUMN note text"));
      awaitWaiting(pool, 1);
      for (int i = 1; i <= READERS; i++) {
        Connection reader = open(url, connections);
        int id = i;
        blocked.submit(() -> reader.createStatement().execute("SELECT * FROM orders WHERE id = " + id));
      }
      awaitWaiting(pool, 1 + READERS);
      if (regimes.contains("B")) {
        row("B", pool);
      }
      // A: the same transactions touch 24 more tables.
      all(workers, sessions, session -> {
        try (Statement statement = session.createStatement()) {
          for (int t = 2; t <= TABLES; t++) {
            statement.execute("SELECT 1 FROM busy_" + t + " LIMIT 0");
          }
        }
      });
      if (regimes.contains("A")) {
        row("A", pool);
      }
      // C: 500 of them read the altered table in their transaction, and queue behind the ALTER.
      if (regimes.contains("C")) {
        for (Connection session : sessions.subList(0, QUEUED)) {
          blocked.submit(() -> session.createStatement().execute("SELECT * FROM orders WHERE id = 2"));
        }
        awaitWaiting(pool, 1 + READERS + QUEUED);
        row("C", pool);
      }
      await(pool.close());
    } finally {
      closeAll(connections, workers);
      workers.shutdownNow();
      blocked.shutdownNow();
      await(vertx.close());
    }
  }

  private static void row(String regime, Pool pool) throws Exception {
    // The probe as the daemon runs it: its first poll reads the waiters' requests, the next ones do not.
    LockProbe probe = new LockProbe(LockAnalysis.DEFAULT_WRITE_THRESHOLD, LockProbe.DEFAULT_REFRESH);
    LockSnapshot first = await(probe.poll(pool));
    int reads = probe.reads();
    await(probe.poll(pool));
    if (probe.reads() != reads) {
      throw new IllegalStateException("the steady poll read pg_locks");
    }
    Integer[] waiters = await(pool.query(WAITERS_SQL).execute()).iterator().next().getArrayOfIntegers(0);
    // Taken once: parameters() starts a full read again once per refresh (5 s), which the runs outlast.
    Tuple steadyParameters = probe.parameters();
    List<Query> queries = List.of(
        new Query(LockProbe.SESSIONS, steadyParameters),
        new Query(LockProbe.REQUESTS, Tuple.of((Object) waiters)),
        new Query(LockProbe.SESSIONS, Tuple.of(STATEMENT_AGE, new Integer[0], new OffsetDateTime[0])),
        new Query(FullLockProbe.SQL, Tuple.tuple()),
        new Query(EXPORTER_SQL, Tuple.tuple()),
        new Query(SELF_JOIN_SQL, Tuple.tuple()),
        new Query(BLOCKING_PIDS_SQL, Tuple.tuple()),
        new Query(COUNT_SQL, Tuple.tuple()),
        new Query(WAITING_SQL, Tuple.tuple()),
        new Query(IN_TRANSACTION_SQL, Tuple.tuple()));
    double[] median = server(pool, queries);
    if (Boolean.getBoolean("bench.explain")) {
      // The plan the daemon runs: prepared once per connection, so generic after five executions.
      await(pool.query("SET plan_cache_mode = force_generic_plan").execute());
      await(pool.preparedQuery("EXPLAIN (ANALYZE, TIMING) " + LockProbe.SESSIONS).execute(steadyParameters))
          .forEach(line -> System.out.println(line.getString(0)));
      await(pool.query("RESET plan_cache_mode").execute());
    }
    long locks = await(pool.query(COUNT_SQL).execute()).iterator().next().getLong(0);
    long waiting = first.sessions().stream().filter(Session::waitingOnLock).count();
    double steady = median[0];
    double episode = median[0] + median[1];
    double cold = median[2] + median[1];
    System.out.printf(Locale.ROOT, "| %s | %,d | %d | %.2f | %.2f | %.2f (%.2f + %.2f) | %.2f | %.2f | %.2f | %.2f "
        + "| %.2f | %.2f | %.2f | %.3f | %.3f | %.3f | %.3f |%n",
        regime, locks, waiting, steady, episode, cold, median[2], median[1], median[3], median[4], median[5],
        median[6], median[7], median[8], median[9], steady / median[4], steady / median[5], episode / median[4],
        episode / median[5]);
  }

  private record Query(String sql, Tuple parameters) {}

  /** Median server execution time of each query in ms over RUNS runs, the queries taking turns. */
  private static double[] server(Pool pool, List<Query> queries) throws Exception {
    double[][] millis = new double[queries.size()][RUNS];
    for (int i = 0; i < RUNS; i++) {
      for (int q = 0; q < queries.size(); q++) {
        Query query = queries.get(q);
        for (Row line : await(pool.preparedQuery("EXPLAIN (ANALYZE, TIMING OFF) " + query.sql())
            .execute(query.parameters()))) {
          String text = line.getString(0);
          if (text.startsWith("Execution Time:")) {
            millis[q][i] = Double.parseDouble(text.replaceAll("[^0-9.]", ""));
          }
        }
      }
    }
    double[] median = new double[queries.size()];
    for (int q = 0; q < queries.size(); q++) {
      Arrays.sort(millis[q]);
      median[q] = millis[q][RUNS / 2];
    }
    return median;
  }

  private static void awaitWaiting(Pool pool, int count) {
    Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
        .until(() -> await(pool.query(WAITING_SQL).execute()).iterator().next().getLong(0) >= count);
  }

  private interface SessionWork {
    void run(Connection session) throws Exception;
  }

  private static List<Connection> all(ExecutorService workers, int count, Callable<Connection> open)
      throws Exception {
    List<java.util.concurrent.Future<Connection>> opening = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      opening.add(workers.submit(open));
    }
    List<Connection> opened = new ArrayList<>();
    for (java.util.concurrent.Future<Connection> connection : opening) {
      opened.add(connection.get(120, TimeUnit.SECONDS));
    }
    return opened;
  }

  private static void all(ExecutorService workers, List<Connection> sessions, SessionWork work) throws Exception {
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    for (Connection session : sessions) {
      running.add(workers.submit(() -> {
        work.run(session);
        return null;
      }));
    }
    for (java.util.concurrent.Future<?> done : running) {
      done.get(120, TimeUnit.SECONDS);
    }
  }

  private static Connection open(String url, List<Connection> connections) throws SQLException {
    Connection connection = DriverManager.getConnection(url);
    synchronized (connections) {
      connections.add(connection);
    }
    return connection;
  }

  private static void closeAll(List<Connection> connections, ExecutorService executor) {
    List<java.util.concurrent.Future<?>> closing = new ArrayList<>();
    for (Connection connection : connections) {
      closing.add(executor.submit(() -> {
        connection.close();
        return null;
      }));
    }
    for (java.util.concurrent.Future<?> close : closing) {
      try {
        close.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing is best effort; the server goes away next
      }
    }
    connections.clear();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "bench");
      thread.setDaemon(true);
      return thread;
    };
  }
}
