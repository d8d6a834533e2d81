package io.pgvigil.checks.locks;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What one poll costs, against the two usual ways of watching locks, at 10, 250 and 1,000 sessions (most idle;
 * one idle-in-transaction holder, one waiting ALTER and readers queued behind it), then at 1,000 with 100 of
 * them in transactions holding locks, then the same in a database with 5,000 more tables. All three run as cached
 * prepared statements over the same one-connection Vert.x pool. Not a test: run it with
 * {@code mvn -B -pl checks test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.pgvigil.checks.locks.LockProbeBench}.
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

  private static final int[] SIZES = {10, 250, 1000};
  private static final int WARMUP = 50;
  private static final int POLLS = 300;
  private static final int READERS = 15;
  private static final int SERVER_RUNS = 100;

  private LockProbeBench() {}

  public static void main(String[] args) throws Exception {
    ExecutorService opener = Executors.newFixedThreadPool(8, daemon());
    ExecutorService blocked = Executors.newCachedThreadPool(daemon());
    List<Connection> connections = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache())
        .setting("max_connections", "1100").start()) {
      String url = server.jdbcUrl("postgres");
      try (Connection setup = DriverManager.getConnection(url); Statement statement = setup.createStatement()) {
        statement.execute("CREATE TABLE orders (id int PRIMARY KEY, v int NOT NULL)");
        statement.execute("INSERT INTO orders SELECT g, 0 FROM generate_series(1, 1000) g");
      }
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
          .connectingTo(new PgConnectOptions().setHost(server.host()).setPort(server.port()).setDatabase("postgres")
              .setUser("postgres").setCachePreparedStatements(true).setPreparedStatementCacheSqlFilter(sql -> true)
              .addProperty("application_name", "pgvigil")
              .addProperty("statement_timeout", "5000"))
          .using(vertx).build();
      LockProbe probe = new LockProbe();

      Connection holder = open(url, connections);
      holder.setAutoCommit(false);
      holder.createStatement().execute("UPDATE orders SET v = v + 1 WHERE id = 1");
      Connection alter = open(url, connections);
      blocked.submit(() -> alter.createStatement().execute("ALTER TABLE orders ADD COLUMN note text"));
      int readers = 0;

      System.out.println();
      System.out.println("Round trip per poll (client to server and back, Vert.x, prepared), mean / p95 ms;");
      System.out.println("server: execution time inside PostgreSQL (EXPLAIN ANALYZE), median (mean) ms; the ratio is");
      System.out
          .println("of the medians. The three queries take turns, so other work on the machine falls on all alike.");
      System.out.println();
      System.out
          .println("| sessions | waiting | pgvigil round trip | pgvigil server | exporter round trip | exporter server "
              + "| self-join round trip | self-join server | self-join / pgvigil (server) |");
      System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
      for (int size : SIZES) {
        while (readers < Math.min(READERS, size - 2)) {
          Connection reader = open(url, connections);
          int id = ++readers;
          blocked.submit(() -> reader.createStatement().execute("SELECT * FROM orders WHERE id = " + id));
        }
        List<java.util.concurrent.Future<Connection>> opening = new ArrayList<>();
        for (int i = connections.size(); i < size; i++) {
          opening.add(opener.submit(() -> DriverManager.getConnection(url)));
        }
        for (java.util.concurrent.Future<Connection> connection : opening) {
          connections.add(connection.get(60, TimeUnit.SECONDS));
        }
        int expectedWaiting = 1 + readers;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (await(probe.poll(pool)).sessions().stream().filter(Session::waitingOnLock).count() < expectedWaiting) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the stall did not form within 20 s");
          }
        }
        row(String.format(Locale.ROOT, "%,d", connections.size()), expectedWaiting, probe, pool);
      }
      // The same 1,000 sessions with 100 of them inside transactions that hold locks on five tables
      // (and their indexes): pg_locks grows to about 1,100 rows, as on a busy application.
      try (Connection setup = DriverManager.getConnection(url); Statement statement = setup.createStatement()) {
        for (int t = 1; t <= 5; t++) {
          statement.execute("CREATE TABLE busy_" + t + " (id int PRIMARY KEY, v int)");
        }
      }
      for (int i = 0; i < 100; i++) {
        Connection busy = connections.get(connections.size() - 1 - i);
        busy.setAutoCommit(false);
        busy.createStatement().execute(
            "SELECT 1 FROM busy_1, busy_2, busy_3, busy_4, busy_5 WHERE busy_1.id = busy_2.id LIMIT 0");
      }
      row("1,000 (100 in transactions, ~1,100 locks)", 1 + readers, probe, pool);
      // The same again in a database with 5,000 more tables (each with its primary key index and TOAST
      // table: about 20,000 pg_class rows), as an application's database has: what a poll reads from the
      // catalog must not grow with it.
      try (Connection setup = DriverManager.getConnection(url); Statement statement = setup.createStatement()) {
        statement.execute("DO $$ BEGIN FOR i IN 1..5000 LOOP"
            + " EXECUTE format('CREATE TABLE app_%s (id int PRIMARY KEY, v text)', i); END LOOP; END $$");
        statement.execute("ANALYZE pg_class");
      }
      row("1,000 (as above, 5,000 more tables)", 1 + readers, probe, pool);
      System.out.println();
      if (Boolean.getBoolean("bench.explain")) {
        for (String sql : List.of(LockProbe.SQL, SELF_JOIN_SQL)) {
          await(pool.query("EXPLAIN (ANALYZE, TIMING) " + sql).execute())
              .forEach(row -> System.out.println(row.getString(0)));
        }
      }
      await(pool.close());
      holder.rollback();
      closeAll(connections, opener);
    } finally {
      closeAll(connections, opener);
      opener.shutdownNow();
      blocked.shutdownNow();
      await(vertx.close());
    }
  }

  private static void row(String sessions, int waiting, LockProbe probe, Pool pool) throws Exception {
    double[][] roundTrip = measure(List.of(
        () -> probe.poll(pool),
        () -> pool.preparedQuery(EXPORTER_SQL).execute(),
        () -> pool.preparedQuery(SELF_JOIN_SQL).execute()));
    double[][] server = server(pool, List.of(LockProbe.SQL, EXPORTER_SQL, SELF_JOIN_SQL));
    System.out.printf(Locale.ROOT,
        "| %s | %d | %.3f / %.3f | %.3f (%.3f) | %.3f / %.3f | %.3f (%.3f) | %.3f / %.3f | %.3f (%.3f) | %.1f× |%n",
        sessions, waiting,
        roundTrip[0][0], roundTrip[0][1], server[0][0], server[0][1],
        roundTrip[1][0], roundTrip[1][1], server[1][0], server[1][1],
        roundTrip[2][0], roundTrip[2][1], server[2][0], server[2][1],
        server[2][0] / server[0][0]);
  }

  /**
   * Server-side execution time (planning excluded) of each statement, median and mean over SERVER_RUNS runs
   * in ms. The statements take turns, so a burst of other work on the machine falls on all of them alike.
   */
  private static double[][] server(Pool pool, List<String> statements) throws Exception {
    double[][] millis = new double[statements.size()][SERVER_RUNS];
    for (int i = 0; i < SERVER_RUNS; i++) {
      for (int s = 0; s < statements.size(); s++) {
        for (io.vertx.sqlclient.Row line : await(
            pool.query("EXPLAIN (ANALYZE, TIMING OFF) " + statements.get(s)).execute())) {
          String text = line.getString(0);
          if (text.startsWith("Execution Time:")) {
            millis[s][i] = Double.parseDouble(text.replaceAll("[^0-9.]", ""));
          }
        }
      }
    }
    double[][] result = new double[statements.size()][];
    for (int s = 0; s < statements.size(); s++) {
      double mean = Arrays.stream(millis[s]).average().orElse(0);
      Arrays.sort(millis[s]);
      result[s] = new double[] {millis[s][SERVER_RUNS / 2], mean};
    }
    return result;
  }

  /** Mean and p95 round trip in milliseconds of each poll over POLLS runs after WARMUP, the polls taking turns. */
  private static double[][] measure(List<Supplier<Future<?>>> polls) throws Exception {
    for (int i = 0; i < WARMUP; i++) {
      for (Supplier<Future<?>> poll : polls) {
        await(poll.get());
      }
    }
    double[][] millis = new double[polls.size()][POLLS];
    for (int i = 0; i < POLLS; i++) {
      for (int p = 0; p < polls.size(); p++) {
        long start = System.nanoTime();
        await(polls.get(p).get());
        millis[p][i] = (System.nanoTime() - start) / 1e6;
      }
    }
    double[][] result = new double[polls.size()][];
    for (int p = 0; p < polls.size(); p++) {
      double mean = Arrays.stream(millis[p]).average().orElse(0);
      Arrays.sort(millis[p]);
      result[p] = new double[] {mean, millis[p][(int) Math.ceil(POLLS * 0.95) - 1]};
    }
    return result;
  }

  private static Connection open(String url, List<Connection> connections) throws SQLException {
    Connection connection = DriverManager.getConnection(url);
    connections.add(connection);
    return connection;
  }

  private static void closeAll(List<Connection> connections, ExecutorService executor) throws Exception {
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
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable, "bench");
      thread.setDaemon(true);
      return thread;
    };
  }
}
