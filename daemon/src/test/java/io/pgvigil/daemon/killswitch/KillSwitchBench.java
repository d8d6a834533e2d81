package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.runtime.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;

/**
 * How fast the kill switch acts: over 20 runs, the time from the abort
 * condition becoming true (a reader queues behind a Flyway migration's waiting
 * ALTER, with {@code lockQueue.abort: 1}) to the ALTER being cancelled, and to
 * the hook starting, with {@code windowInterval: 250ms}. Not a test: run it with
 * {@code mvn -B -q -pl daemon test-compile exec:java
 * -Dexec.mainClass=io.pgvigil.daemon.killswitch.KillSwitchBench}.
 */
public final class KillSwitchBench {

  private static final int RUNS = 20;

  private KillSwitchBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "killswitch-bench");
    ExecutorService sessions = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "bench-session");
      t.setDaemon(true);
      return t;
    });
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).start()) {
      String url = pg.jdbcUrl("postgres");
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)");
        s.execute("INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
      }
      Path migrations = Files.createDirectories(work.resolve("db/migration"));
      Path hookLog = work.resolve("hook.log");
      Path hook = work.resolve("hook.sh");
      Files.writeString(hook, "#!/bin/sh\ndate +%s%N >> '" + hookLog + "'\n");
      hook.toFile().setExecutable(true);
      var config = new ConfigLoader(Map.of()).parse("""
          server: { listen: 127.0.0.1:0 }
          targets:
            - { name: app, url: "%s", watch: { interval: 1s, windowInterval: 250ms, statementTimeout: 200ms } }
          rules:
            lockQueue: { warn: 1, abort: 1, for: 0s }
          killSwitch: { mode: cancel, hooks: [{ exec: ["%s"] }] }
          """.formatted(pg.uri("postgres"), hook), work, "config");
      double[] cancel = new double[RUNS];
      double[] hookStart = new double[RUNS];
      try (RunningDaemon daemon = RunningDaemon.start(config,
          new ShadowSettings.Storage(TestServers.binariesCache(), work.resolve("shadow"),
              work.resolve("spool"), work.resolve("state")),
          Duration.ofSeconds(1), Clock.systemUTC())) {
        for (int run = 0; run < RUNS; run++) {
          Files.writeString(migrations.resolve("V" + (run + 1) + "__note_" + run + ".sql"),
              "ALTER TABLE accounts ADD COLUMN note_" + run + " text;\n");
          try (Connection holder = DriverManager.getConnection(url);
              Connection reader = DriverManager.getConnection(url)) {
            holder.setAutoCommit(false);
            holder.createStatement().execute("UPDATE accounts SET balance = balance + 1 WHERE id = 1");
            CompletableFuture<Long> migrate = CompletableFuture.supplyAsync(() -> {
              try {
                Flyway.configure().dataSource(url, null, null).locations("filesystem:" + migrations)
                    .baselineOnMigrate(true).baselineVersion("0").load().migrate();
              } catch (RuntimeException cancelled) {
                // expected: the kill switch cancelled the ALTER
              }
              return System.nanoTime();
            }, sessions);
            waitUntil(() -> daemon.targets().find("app").orElseThrow().locks().last()
                .map(r -> r.summary().waitingSessions() >= 1).orElse(false)
                && windowOpen(daemon));
            long lines = Files.exists(hookLog) ? Files.readAllLines(hookLog).size() : 0;
            long conditionAtNanos = System.nanoTime();
            long conditionAtEpochNanos = System.currentTimeMillis() * 1_000_000L;
            sessions.submit(() -> {
              try (ResultSet rs = reader.createStatement().executeQuery("SELECT count(*) FROM accounts")) {
                rs.next();
              }
              return null;
            });
            long cancelledAt = migrate.get(30, TimeUnit.SECONDS);
            cancel[run] = (cancelledAt - conditionAtNanos) / 1e6;
            long hookLines = lines;
            waitUntil(() -> Files.exists(hookLog) && Files.readAllLines(hookLog).size() > hookLines);
            long hookAt = Long.parseLong(Files.readAllLines(hookLog).get((int) lines).trim());
            hookStart[run] = (hookAt - conditionAtEpochNanos) / 1e6;
            holder.rollback();
          }
          waitUntil(() -> !windowOpen(daemon));
        }
      }
      System.out.println();
      System.out.printf(Locale.ROOT,
          "Kill switch, %d runs, windowInterval 250ms, lockQueue.abort 1, second chance on%n", RUNS);
      System.out.println("| from the condition to | p50 ms | p95 ms | max ms |");
      System.out.println("|---|---:|---:|---:|");
      print("the ALTER cancelled", cancel);
      print("the hook started", hookStart);
      System.out.println("each run, ALTER cancelled (ms): " + Arrays.toString(Arrays.stream(cancel)
          .mapToLong(Math::round).toArray()));
      System.out.printf("PostgreSQL %s, %d cores%n", pg.version(), Runtime.getRuntime().availableProcessors());
    } finally {
      sessions.shutdownNow();
      deleteTree(work);
    }
  }

  private static boolean windowOpen(RunningDaemon daemon) {
    return daemon.windows().active("app");
  }

  private static void print(String what, double[] millis) {
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", what, sorted[sorted.length / 2],
        sorted[(int) Math.ceil(sorted.length * 0.95) - 1], sorted[sorted.length - 1]);
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls a condition every 5 ms for at most 30 s (a benchmark's main, not a test). */
  private static void waitUntil(Condition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("condition not reached within 30 s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private static void deleteTree(Path root) throws Exception {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        List<Path> all = new ArrayList<>(paths.toList());
        java.util.Collections.reverse(all);
        for (Path p : all) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
