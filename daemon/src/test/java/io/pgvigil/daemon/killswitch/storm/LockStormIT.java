package io.pgvigil.daemon.killswitch.storm;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.checks.locks.LockAnalysis;
import io.pgvigil.checks.locks.LockProbe;
import io.pgvigil.checks.locks.LockSnapshot;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPools;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.killswitch.KillSwitch;
import io.pgvigil.daemon.rules.RuleEvaluator;
import io.pgvigil.daemon.rules.TargetRules;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lock storm under the kill switch at its harshest: {@code cancel-and-terminate-blockers}, every
 * abort level low, and a window opened the way the API opens one (naming no backend), replaced by a
 * fresh one after every poll so that every poll at the abort level acts. Twenty sessions of the
 * allowlisted role take random row locks, {@code LOCK} in every mode, short DDL and two-table
 * migrations, and sit idle in their transactions for random think times.
 *
 * <p>The verdict comes from the PostgreSQL server log, not from pgvigil's audit: the backends that
 * died of {@code pg_terminate_backend} (the FATAL lines), and every signal pgvigil's backend sent
 * ({@code log_statement = 'all'} for pgvigil's role only) with the poll it followed. Each one is
 * checked against the raw rows of that poll by {@link StallOracle}, which writes the definition
 * down on its own: nothing may be terminated but an idle-in-transaction root blocker of a waiting
 * DDL request with a queue, and nothing cancelled but such a request.
 */
@ExtendWith(PostgresExtension.class)
class LockStormIT {

  private static final Duration STORM = Duration.ofSeconds(60);
  private static final int SESSIONS = 20;
  private static final long SEED = 12;
  /** The watch's pace inside a window, as {@code watch.windowInterval} would set it. */
  private static final long POLL_INTERVAL_MILLIS = 100;

  @TempDir
  Path dir;

  @Test
  void everySessionTerminatedInAStormWasAnIdleRootBlockerOfADdlRequestWithAQueue(TestPostgres pg)
      throws Exception {
    prepare(pg);
    PgvigilConfig config = new ConfigLoader(Map.of()).parse("""
        targets: [{ name: app, url: "postgresql://vigil@localhost/app" }]
        rules:
          lockWait: { warn: 100ms, abort: 200ms, for: 0s }
          lockQueue: { warn: 1, abort: 1, for: 0s }
          idleInTransaction: { warn: 100ms, abort: 200ms, for: 0s }
        killSwitch:
          mode: cancel-and-terminate-blockers
          terminate: { roles: [storm], idleInTransactionAfter: 100ms }
        """, dir, "config");
    Clock clock = Clock.systemUTC();
    WindowRegistry windows = new WindowRegistry(clock);
    TargetRules rules = new TargetRules("app", new RuleEvaluator("app", config.rules(), clock),
        new KillSwitch("app", config.killSwitch(), windows, new AbortLog(new SimpleMeterRegistry()), clock),
        windows, (source, verdicts) -> {}, false, Set.of());
    LockProbe probe = new LockProbe();
    LockAnalysis analysis = new LockAnalysis(LockAnalysis.DEFAULT_WRITE_THRESHOLD, false);

    Properties login = new Properties();
    login.setProperty("user", "storm");
    login.setProperty("password", "storm");
    StormWorkload workload = new StormWorkload(
        "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), login, SEED);
    long deadline = System.nanoTime() + STORM.toNanos();
    CompletableFuture<Void> storm = CompletableFuture.runAsync(() -> {
      try {
        workload.run(SESSIONS, deadline);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    List<LockSnapshot> polls = new ArrayList<>();
    int failedPolls = 0;
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = TestPools.pool(vertx, pg, "vigil", "vigil");
      MigrationWindow window = null;
      while (System.nanoTime() < deadline) {
        MigrationWindow next = windows.open("app", Duration.ofMinutes(10), "deploy", WindowRegistry.IN_WINDOW);
        if (window != null) {
          windows.close(window.id(), "the next deploy");
        }
        window = next;
        LockSnapshot snapshot;
        try {
          snapshot = get(probe.poll(pool));
        } catch (ExecutionException e) {
          polls.add(null); // a poll over its statement timeout: logged by the server all the same
          failedPolls++;
          continue;
        }
        polls.add(snapshot);
        get(rules.onLocks(analysis.analyze(snapshot), vertx, pool));
        TimeUnit.MILLISECONDS.sleep(POLL_INTERVAL_MILLIS); // the watch's pace, not a wait for a condition
      }
      storm.get(60, TimeUnit.SECONDS);
    } finally {
      get(vertx.close());
    }

    String serverLog = Sql.query(pg, "SELECT pg_read_file(pg_current_logfile())");
    // Kept beside the build's other reports, to read when the assertions below fail.
    java.nio.file.Files.writeString(Path.of("target", "lock-storm-server.log"), serverLog);
    ServerLog log = ServerLog.parse(serverLog);
    Map<Instant, LockSnapshot> byServerTime = new HashMap<>();
    polls.stream().filter(s -> s != null).forEach(s -> byServerTime.put(s.serverTime().toInstant(), s));
    List<String> wrongfulSignals = new ArrayList<>();
    Set<Integer> signalledForTermination = new java.util.HashSet<>();
    Set<Integer> wronglySignalledForTermination = new java.util.HashSet<>();
    int terminateSignals = 0;
    int cancelSignals = 0;
    for (ServerLog.Signal signal : log.signals) {
      LockSnapshot poll = signal.poll() >= 0 && signal.poll() < polls.size() ? polls.get(signal.poll()) : null;
      Instant started = timestamp(signal.parameters().get(2));
      if (signal.function().equals("pg_terminate_backend")) {
        terminateSignals++;
        signalledForTermination.add(signal.pid());
        // The poll the decision was made on, named by the statement itself ($5).
        LockSnapshot judged = byServerTime.get(timestamp(signal.parameters().get(5)));
        if (judged == null || judged != poll || !StallOracle.mayTerminate(judged, signal.pid(), started)) {
          wrongfulSignals.add(signal.toString());
          wronglySignalledForTermination.add(signal.pid());
        }
      } else {
        cancelSignals++;
        if (poll == null || !StallOracle.mayCancel(poll, signal.pid(), started, signal.parameters().get(3),
            signal.parameters().get(4))) {
          wrongfulSignals.add(signal.toString());
        }
      }
    }
    // Terminated, and named by no terminate signal or by one that named no stall's root at its poll
    // (counted against pgvigil even if another, rightful signal to the same backend did it).
    List<Integer> wrongfulTerminations = log.terminated.stream()
        .filter(pid -> !signalledForTermination.contains(pid) || wronglySignalledForTermination.contains(pid))
        .toList();
    long stallPolls = polls.stream().filter(s -> s != null && !StallOracle.stalledRequests(s).isEmpty()).count();
    long crossTablePolls = polls.stream().filter(s -> s != null && StallOracle.queuedOnAnotherTable(s)).count();
    long spareBlockerPolls = polls.stream().filter(s -> s != null && StallOracle.idleBlockerOutsideAnyStall(s)).count();

    System.out.printf("lock storm: %d s, %d sessions (%d backends, %d reconnects after a terminate), "
        + "%d transactions; %d polls (%d failed), %d with a DDL request queue (%d of them queued on another "
        + "table), %d with an idle blocker outside any stall; "
        + "%d cancel signals, %d statements cancelled; %d terminate signals, %d backends terminated; "
        + "wrongful signals %d, wrongful terminations %d%n",
        STORM.toSeconds(), SESSIONS, workload.backends().size(), workload.reconnects(), workload.transactions(),
        polls.size(), failedPolls, stallPolls, crossTablePolls, spareBlockerPolls, cancelSignals,
        log.cancelledStatements, terminateSignals,
        log.terminated.size(), wrongfulSignals.size(), wrongfulTerminations.size());

    assertThat(log.polls).as("every poll is in the server log, in order").isEqualTo(polls.size());
    assertThat(wrongfulSignals).as("signals that named no stall at their poll").isEmpty();
    assertThat(wrongfulTerminations).as("backends terminated that were no stall's idle root at that poll")
        .isEmpty();
    // The storm did produce what is under test, or the assertions above would prove nothing.
    assertThat(stallPolls).isPositive();
    assertThat(crossTablePolls).as("polls with a queue on another table than the request's").isPositive();
    assertThat(spareBlockerPolls).isPositive();
    assertThat(log.terminated).isNotEmpty();
  }

  /**
   * The server log with every line's time and pid and every statement of pgvigil's role with its
   * parameters; logging_collector needs a restart. The storm's role and tables, its timeouts.
   */
  private static void prepare(TestPostgres pg) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("ALTER SYSTEM SET logging_collector = on");
      s.execute("ALTER SYSTEM SET log_destination = 'stderr'");
      s.execute("ALTER SYSTEM SET log_directory = 'log'");
      s.execute("ALTER SYSTEM SET log_filename = 'storm.log'");
      s.execute("ALTER SYSTEM SET log_rotation_age = 0");
      s.execute("ALTER SYSTEM SET log_rotation_size = 0");
      s.execute("ALTER SYSTEM SET log_line_prefix = '%m [%p] '");
      s.execute("ALTER SYSTEM SET log_parameter_max_length = -1");
      s.execute("CREATE ROLE storm LOGIN PASSWORD 'storm'");
      s.execute("ALTER ROLE storm SET lock_timeout = '3s'");
      s.execute("ALTER ROLE storm SET statement_timeout = '10s'");
      s.execute("CREATE ROLE vigil LOGIN PASSWORD 'vigil' IN ROLE pg_monitor, pg_signal_backend");
      s.execute("ALTER ROLE vigil SET log_statement = 'all'");
      s.execute("GRANT ALL ON SCHEMA public TO storm");
      for (int t = 1; t <= StormWorkload.TABLES; t++) {
        s.execute("CREATE TABLE t" + t + " (id int PRIMARY KEY, v int NOT NULL)");
        s.execute("INSERT INTO t" + t + " SELECT g, 0 FROM generate_series(1, 20) g");
        s.execute("ALTER TABLE t" + t + " ADD CONSTRAINT t" + t + "_v_check CHECK (v >= 0) NOT VALID");
        s.execute("ALTER TABLE t" + t + " OWNER TO storm");
      }
    }
    pg.stop();
    pg.start();
    assertThat(Sql.query(pg, "SHOW logging_collector")).isEqualTo("on");
  }

  /** A timestamptz as the server log prints a parameter, e.g. {@code 2026-12-01 22:40:01.100123+00}. */
  private static Instant timestamp(String text) {
    String iso = text.replace(' ', 'T');
    if (iso.matches(".*[+-]\\d\\d$")) {
      iso += ":00";
    }
    return OffsetDateTime.parse(iso).toInstant();
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
