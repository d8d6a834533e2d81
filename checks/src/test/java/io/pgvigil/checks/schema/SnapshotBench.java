package io.pgvigil.checks.schema;

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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.diff.DiffGeneratorFactory;
import liquibase.diff.DiffResult;
import liquibase.diff.compare.CompareControl;

/**
 * What a schema snapshot costs on large generated schemas (2,000 and 10,000 tables of 10 columns,
 * a primary key, two indexes and one foreign key each), next to Liquibase's diff on the same
 * databases in the same run. Not a test: run it with
 * {@code mvn -B -pl checks test-compile exec:java -Dexec.mainClass=io.pgvigil.checks.schema.SnapshotBench}
 * ({@code -Dbench.sizes=200,1000} and {@code -Dbench.liquibaseLimit=<seconds>} for a quicker run).
 *
 * <p>Both tools are compared on the same job, a diff of two identical databases ({@code bench_N}
 * and its clone {@code bench_N_copy}): for pgvigil two snapshots plus {@link SchemaDiff#compare},
 * for Liquibase {@code DiffGeneratorFactory.compare}, which snapshots both sides too. Queries are
 * counted the same way for both, on the server by pg_stat_statements (top-level statements,
 * utility statements included), so neither side's client-side bookkeeping is trusted.
 */
public final class SnapshotBench {

  private static final int RUNS = 3;
  // Tables created per transaction: each table takes about seven locks (table, TOAST table and
  // index, primary key, two indexes, the referenced table), and the shared lock table holds
  // max_locks_per_transaction × max_connections (64 × 100) of them.
  private static final int TABLES_PER_TRANSACTION = 250;
  private static final String LIQUIBASE_APP = "liquibase-bench";

  // Liquibase logs through java.util.logging at INFO; a strong reference keeps the level set
  // (JUL holds loggers weakly).
  private static final Logger LIQUIBASE_LOG = Logger.getLogger("liquibase");

  private SnapshotBench() {}

  public static void main(String[] args) throws Exception {
    int[] sizes = Arrays.stream(System.getProperty("bench.sizes", "2000,10000").split(","))
        .mapToInt(size -> Integer.parseInt(size.trim())).toArray();
    long liquibaseLimit = Long.getLong("bench.liquibaseLimit", 600);
    LIQUIBASE_LOG.setLevel(Level.WARNING);
    System.setProperty("liquibase.analytics.enabled", "false");

    List<String> rows = new ArrayList<>();
    ExecutorService liquibaseThread = Executors.newSingleThreadExecutor(runnable -> {
      // Liquibase's snapshot recurses along foreign keys (table, its FK, the referenced table, its
      // FK, ...), a few dozen frames per hop: the chain t_N -> ... -> t_1 overflows the default
      // 1 MB stack from about 2,000 tables on, so it gets room for the 10,000-table chain.
      Thread thread = new Thread(null, runnable, "liquibase", 1L << 30);
      thread.setDaemon(true);
      return thread;
    });
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache())
        .setting("shared_preload_libraries", "pg_stat_statements")
        // Liquibase's metadata queries carry literals that normalize to few entries, but a full
        // table would evict entries and lose their calls.
        .setting("pg_stat_statements.max", "20000")
        .start();
        Connection admin = DriverManager.getConnection(server.jdbcUrl("postgres"))) {
      String version;
      try (Statement statement = admin.createStatement()) {
        statement.execute("CREATE EXTENSION pg_stat_statements");
        version = scalar(statement, "SELECT version()");
      }
      for (int size : sizes) {
        String live = "bench_" + size;
        String copy = live + "_copy";
        long started = System.nanoTime();
        generate(server, admin, live, size);
        double generated = seconds(started);
        started = System.nanoTime();
        try (Statement statement = admin.createStatement()) {
          statement.execute("CREATE DATABASE " + copy + " TEMPLATE " + live);
        }
        System.out.printf(Locale.ROOT, "%,d tables: generated in %.1f s, cloned in %.1f s%n",
            size, generated, seconds(started));

        Pool livePool = pool(vertx, server, live);
        Pool copyPool = pool(vertx, server, copy);
        try {
          CatalogSnapshotter snapshotter = new CatalogSnapshotter(SnapshotOptions.defaults());
          SchemaDiff diff = new SchemaDiff();
          // Warm-up: JIT, the connections, and the server's catalog caches on both databases.
          await(snapshotter.snapshot(livePool));
          await(snapshotter.snapshot(copyPool));

          resetStatements(admin);
          double snapshotTotal = 0;
          SchemaSnapshot snapshot = null;
          for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            snapshot = await(snapshotter.snapshot(livePool));
            snapshotTotal += seconds(start);
          }
          double snapshotQueries = statements(admin, live) / (double) RUNS;

          resetStatements(admin);
          double diffTotal = 0;
          double compareTotal = 0;
          int findings = 0;
          for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            SchemaSnapshot expected = await(snapshotter.snapshot(copyPool));
            SchemaSnapshot actual = await(snapshotter.snapshot(livePool));
            long compared = System.nanoTime();
            findings = diff.compare(expected, actual).size();
            compareTotal += seconds(compared);
            diffTotal += seconds(start);
          }
          double diffQueries = (statements(admin, live) + statements(admin, copy)) / (double) RUNS;
          System.out.printf(Locale.ROOT,
              "%,d tables: pgvigil snapshot %.3f s (%d queries client-side, %.0f server-side), %,d objects; "
                  + "diff of two databases %.3f s (compare alone %.3f s), %d findings%n",
              size, snapshotTotal / RUNS, snapshot.queries(), snapshotQueries, snapshot.objects().size(),
              diffTotal / RUNS, compareTotal / RUNS, findings);

          await(livePool.close());
          await(copyPool.close());

          resetStatements(admin);
          String liquibaseSeconds;
          double liquibaseTime = -1;
          long start = System.nanoTime();
          java.util.concurrent.Future<String> run = liquibaseThread.submit(() -> liquibaseDiff(server, live, copy));
          try {
            String result = run.get(liquibaseLimit, TimeUnit.SECONDS);
            liquibaseTime = seconds(start);
            liquibaseSeconds = String.format(Locale.ROOT, "%.3f", liquibaseTime);
            System.out.printf(Locale.ROOT, "%,d tables: Liquibase diff %.3f s, %s%n", size, liquibaseTime, result);
          } catch (TimeoutException e) {
            // Stop it on the server too, or its queries keep the next size's numbers busy.
            run.cancel(true);
            terminateLiquibase(admin);
            liquibaseSeconds = "> " + liquibaseLimit;
            System.out.printf(Locale.ROOT, "%,d tables: Liquibase diff did not finish in %d s%n", size, liquibaseLimit);
          } catch (java.util.concurrent.ExecutionException e) {
            // Reported, not thrown: the other sizes' numbers are still worth having.
            liquibaseSeconds = "failed";
            System.out.printf(Locale.ROOT, "%,d tables: Liquibase diff failed after %.1f s:%n", size, seconds(start));
            e.getCause().printStackTrace(System.out);
          }
          long liquibaseQueries = statements(admin, live) + statements(admin, copy);
          String ratio = liquibaseTime >= 0
              ? String.format(Locale.ROOT, "%.0f×", liquibaseTime / (diffTotal / RUNS))
              : liquibaseSeconds.equals("failed") ? "n/a"
              : String.format(Locale.ROOT, "> %.0f×", liquibaseLimit / (diffTotal / RUNS));
          rows.add(String.format(Locale.ROOT, "| %,d | %.3f | %.3f | %.0f | %.0f | %,d | %s | %s%,d | %s |",
              size, snapshotTotal / RUNS, diffTotal / RUNS, snapshotQueries, diffQueries, snapshot.objects().size(),
              liquibaseSeconds, liquibaseTime < 0 ? "≥ " : "", liquibaseQueries, ratio));
        } finally {
          livePool.close();
          copyPool.close();
        }
      }

      System.out.println();
      System.out.println("Seconds: wall clock, pgvigil mean of " + RUNS + " after a warm-up, Liquibase one run.");
      System.out.println("Diff: two identical databases (bench_N and a TEMPLATE clone) snapshotted and compared.");
      System.out
          .println("Queries: top-level statements the server ran in the benchmark databases (pg_stat_statements).");
      System.out.println();
      System.out
          .println("| tables | pgvigil snapshot s | pgvigil diff s | pgvigil snapshot queries | pgvigil diff queries "
              + "| objects | Liquibase diff s | Liquibase diff queries | Liquibase / pgvigil (diff) |");
      System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      rows.forEach(System.out::println);
      System.out.println();
      System.out.printf(Locale.ROOT, "%s; %d cores; Liquibase %s%n", version,
          Runtime.getRuntime().availableProcessors(), liquibase.util.LiquibaseUtil.getBuildVersion());
    } finally {
      liquibaseThread.shutdownNow();
      await(vertx.close());
    }
  }

  /**
   * Creates the database and its tables: t_i(id, c1..c8 of mixed types, fk) with indexes on c1 and
   * (c2, c3), fk referencing t_(i-1) (t_1 references itself), a few transactions of one script each.
   */
  private static void generate(EmbeddedPostgres server, Connection admin, String database, int size)
      throws SQLException {
    try (Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    try (Connection connection = DriverManager.getConnection(server.jdbcUrl(database));
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      StringBuilder script = new StringBuilder();
      for (int i = 1; i <= size; i++) {
        int referenced = i == 1 ? 1 : i - 1;
        script.append("CREATE TABLE t_").append(i).append(" (id bigint PRIMARY KEY, c1 text NOT NULL,"
            + " c2 integer, c3 numeric(12,2), c4 timestamptz NOT NULL DEFAULT now(), c5 boolean NOT NULL DEFAULT false,"
            + " c6 varchar(40), c7 date, c8 jsonb, fk bigint REFERENCES t_").append(referenced).append(" (id));\n");
        script.append("CREATE INDEX t_").append(i).append("_c1 ON t_").append(i).append(" (c1);\n");
        script.append("CREATE INDEX t_").append(i).append("_c2_c3 ON t_").append(i).append(" (c2, c3);\n");
        if (i % TABLES_PER_TRANSACTION == 0 || i == size) {
          statement.execute(script.toString());
          connection.commit();
          script.setLength(0);
        }
      }
    }
  }

  private static String liquibaseDiff(EmbeddedPostgres server, String reference, String comparison) throws Exception {
    // Closed here rather than through Database.close(), which first commits and resets
    // auto-commit: nothing to keep, and a connection left busy by a failure must not block.
    try (Connection referenceConnection = liquibaseConnection(server, reference);
        Connection comparisonConnection = liquibaseConnection(server, comparison)) {
      Database referenceDatabase = DatabaseFactory.getInstance()
          .findCorrectDatabaseImplementation(new JdbcConnection(referenceConnection));
      Database comparisonDatabase = DatabaseFactory.getInstance()
          .findCorrectDatabaseImplementation(new JdbcConnection(comparisonConnection));
      DiffResult result = DiffGeneratorFactory.getInstance()
          .compare(referenceDatabase, comparisonDatabase, CompareControl.STANDARD);
      // Named, so a difference that is only the two databases' names reads as such.
      List<String> changed = new ArrayList<>();
      result.getChangedObjects().forEach((object, differences) -> changed.add(object.getClass().getSimpleName() + " "
          + object.getName() + " " + differences.getDifferences().stream().map(d -> d.getField()).toList()));
      return String.format(Locale.ROOT, "%d missing, %d unexpected, %d changed objects %s",
          result.getMissingObjects().size(), result.getUnexpectedObjects().size(), changed.size(), changed);
    }
  }

  private static Connection liquibaseConnection(EmbeddedPostgres server, String database) throws SQLException {
    return DriverManager.getConnection(server.jdbcUrl(database) + "&ApplicationName=" + LIQUIBASE_APP);
  }

  private static void terminateLiquibase(Connection admin) throws SQLException {
    try (Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
          + LIQUIBASE_APP + "'");
    }
  }

  private static void resetStatements(Connection admin) throws SQLException {
    try (Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_stat_statements_reset()");
    }
  }

  /** Top-level statements run in this database since the last reset. */
  private static long statements(Connection admin, String database) throws SQLException {
    try (Statement statement = admin.createStatement()) {
      return Long.parseLong(scalar(statement, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s"
          + " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '" + database + "'"));
    }
  }

  private static String scalar(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  private static Pool pool(Vertx vertx, EmbeddedPostgres server, String database) {
    // As many connections as one snapshot uses: the snapshotter takes its areas in parallel.
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(SnapshotOptions.defaults().parallelism()))
        .connectingTo(new PgConnectOptions().setHost(server.host()).setPort(server.port()).setDatabase(database)
            .setUser("postgres"))
        .using(vertx).build();
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
  }
}
