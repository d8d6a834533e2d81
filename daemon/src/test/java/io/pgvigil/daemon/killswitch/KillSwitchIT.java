package io.pgvigil.daemon.killswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.Backends.Backend;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stall inside an automatic window: a real Flyway migration's ALTER TABLE
 * waits behind an idle transaction, readers queue behind it. With
 * {@code killSwitch.mode: cancel} the ALTER is cancelled (after the second
 * chance), the readers run, and the idle holder is untouched; in dry-run
 * nothing is cancelled. Either way the decision is in the API and the metric.
 */
@ExtendWith(PostgresExtension.class)
class KillSwitchIT {

  private static final int READERS = 3;

  @TempDir
  Path dir;

  private final ExecutorService sessions = Executors.newCachedThreadPool();
  private Backends backends;

  @BeforeEach
  void schema(TestPostgres pg) throws Exception {
    backends = new Backends(pg);
    Sql.execute(pg,
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g",
        "CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)",
        "INSERT INTO ledger VALUES (1, 0)");
  }

  @AfterEach
  void close() throws Exception {
    backends.close();
    sessions.shutdownNow();
  }

  @Test
  void cancelModeCancelsTheMigrationAndLeavesTheHolderAlone(TestPostgres pg) throws Exception {
    Stall stall = stall(pg, "cancel");
    try (RunningDaemon daemon = stall.daemon) {
      Http http = new Http(daemon.port());
      Throwable failure = stall.migrate.handle((ok, e) -> e).get(30, TimeUnit.SECONDS);
      assertThat(failure).as("the migration was cancelled").isNotNull();
      assertThat(rootMessage(failure)).contains("canceling statement due to user request");
      for (Future<?> reader : stall.readers) {
        reader.get(10, TimeUnit.SECONDS);
      }
      assertThat(backends.state(stall.holderPid)).isEqualTo("idle in transaction");

      await().atMost(Duration.ofSeconds(15)).until(() -> Files.exists(dir.resolve("hook.env")));
      await().atMost(Duration.ofSeconds(5))
          .until(() -> Files.readString(dir.resolve("hook.env")).contains("PGVIGIL_WINDOW_ID"));
      JsonArray aborts = new JsonObject(http.get("/api/v1/aborts").body()).getJsonArray("aborts");
      JsonObject cancel = aborts.stream().map(JsonObject.class::cast)
          .filter(a -> a.getString("action").equals("cancel")).findFirst().orElseThrow();
      assertThat(cancel.getString("result")).isEqualTo("cancelled");
      assertThat(cancel.getString("rule")).isEqualTo("lockQueue");
      String env = Files.readString(dir.resolve("hook.env"));
      assertThat(env).contains("PGVIGIL_TARGET=app", "PGVIGIL_RULE=lockQueue",
          "PGVIGIL_PIDS=" + cancel.getInteger("pid"), "PGVIGIL_WINDOW_ID=" + cancel.getString("windowId"));
      await().atMost(Duration.ofSeconds(5)).until(() -> new JsonObject(http.get("/api/v1/aborts").body())
          .getJsonArray("aborts").stream().map(JsonObject.class::cast)
          .anyMatch(a -> a.getString("action").equals("hook") && a.getString("result").equals("ok")));
      assertThat(Http.sample(http.get("/metrics").body(),
          "pgvigil_abort_actions_total{action=\"cancel\",result=\"cancelled\",target=\"app\"}")).isEqualTo(1.0);
    }
  }

  @Test
  void theOptInModeAlsoTerminatesTheIdleHolder(TestPostgres pg) throws Exception {
    // Elsewhere, an application session blocks another one: not the migration's stall, left alone.
    Backend otherHolder = backends.open("app-other-holder", false);
    Backends.execute(otherHolder, "UPDATE ledger SET amount = amount + 1 WHERE id = 1");
    int otherHolderPid = otherHolder.pid();
    Future<?> otherWait = backends.start(backends.open("app-other-waiter", true),
        "UPDATE ledger SET amount = amount + 2 WHERE id = 1");
    Stall stall = stall(pg, "cancel-and-terminate-blockers",
        "terminate: { roles: [" + pg.user() + "], idleInTransactionAfter: 100ms }");
    try (RunningDaemon daemon = stall.daemon) {
      Http http = new Http(daemon.port());
      Throwable failure = stall.migrate.handle((ok, e) -> e).get(30, TimeUnit.SECONDS);
      assertThat(rootMessage(failure)).contains("canceling statement due to user request");
      for (Future<?> reader : stall.readers) {
        reader.get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> backends.state(stall.holderPid) == null);
      JsonObject terminate = new JsonObject(http.get("/api/v1/aborts").body()).getJsonArray("aborts").stream()
          .map(JsonObject.class::cast).filter(a -> a.getString("action").equals("terminate"))
          .findFirst().orElseThrow();
      assertThat(terminate.getString("result")).isEqualTo("terminated");
      assertThat(terminate.getInteger("pid")).isEqualTo(stall.holderPid);
      assertThat(new JsonObject(http.get("/api/v1/aborts").body()).getJsonArray("aborts").stream()
          .map(JsonObject.class::cast).filter(d -> d.getString("action").equals("terminate")))
          .singleElement();
      assertThat(backends.state(otherHolderPid)).isEqualTo("idle in transaction");
      assertThat(otherWait).isNotDone();
      otherHolder.connection().rollback();
      otherWait.get(10, TimeUnit.SECONDS);
      assertThat(Http.sample(http.get("/metrics").body(),
          "pgvigil_abort_actions_total{action=\"terminate\",result=\"terminated\",target=\"app\"}")).isEqualTo(1.0);
    }
  }

  @Test
  void aStallSeenOnOnePollOnlyDoesNotAbort(TestPostgres pg) throws Exception {
    // Polls 2 s apart inside the window: the queue is over the abort level on one poll, gone by the next.
    Stall stall = stall(pg, "cancel", "", "2s");
    try (RunningDaemon daemon = stall.daemon) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_lock_queue_depth_max{target=\"app\"}") >= 2.0);
      stall.holder.rollback();
      stall.migrate.get(30, TimeUnit.SECONDS);
      for (Future<?> reader : stall.readers) {
        reader.get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_lock_queue_depth_max{target=\"app\"}") == 0.0);
      assertThat(new JsonObject(http.get("/api/v1/aborts").body()).getJsonArray("aborts")).isEmpty();
      assertThat(dir.resolve("hook.env")).doesNotExist();
    }
  }

  @Test
  void dryRunDecidesButCancelsNothing(TestPostgres pg) throws Exception {
    Stall stall = stall(pg, "dry-run");
    try (RunningDaemon daemon = stall.daemon) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_abort_actions_total{action=\"cancel\",result=\"dry-run\",target=\"app\"}") == 1.0);
      assertThat(stall.migrate).isNotDone();
      assertThat(Http.sample(http.get("/metrics").body(),
          "pgvigil_abort_actions_total{action=\"hook\",result=\"dry-run\",target=\"app\"}")).isEqualTo(1.0);
      assertThat(dir.resolve("hook.env")).doesNotExist();
      // No alert sink is configured: the alerts are still decided and listed, just not sent.
      JsonObject alerts = new JsonObject(http.get("/api/v1/alerts").body());
      assertThat(alerts.getJsonArray("sinks")).isEmpty();
      assertThat(alerts.getJsonArray("firing").stream().map(JsonObject.class::cast))
          .anyMatch(a -> a.getString("rule").equals("lockQueue") && a.getString("severity").equals("critical"));

      stall.holder.rollback();
      stall.migrate.get(30, TimeUnit.SECONDS);
      for (Future<?> reader : stall.readers) {
        reader.get(10, TimeUnit.SECONDS);
      }
    }
  }

  private record Stall(RunningDaemon daemon, Connection holder, int holderPid,
      CompletableFuture<Void> migrate, List<Future<?>> readers) {}

  /** Starts the daemon, the idle holder, the Flyway migration (its ALTER waits) and the readers. */
  private Stall stall(TestPostgres pg, String mode) throws Exception {
    return stall(pg, mode, "");
  }

  private Stall stall(TestPostgres pg, String mode, String killSwitchExtra) throws Exception {
    return stall(pg, mode, killSwitchExtra, "100ms");
  }

  private Stall stall(TestPostgres pg, String mode, String killSwitchExtra, String windowInterval)
      throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__add_note.sql"), "ALTER TABLE accounts ADD COLUMN note text;\n");
    String interval = "100ms".equals(windowInterval) ? "250ms" : windowInterval;
    RunningDaemon daemon = TestDaemon.watching(pg)
        .watch("interval: %s, windowInterval: %s, statementTimeout: 90ms".formatted(interval, windowInterval))
        .with("""
            rules:
              lockQueue: { warn: 1, abort: 2, for: 0s }
            killSwitch:
              mode: %s
              hooks: [{ exec: ["%s"] }]
              %s
            """.formatted(mode, hook(), killSwitchExtra)).in(dir).start();
    LockStall lock = new LockStall(backends, "accounts")
        .hold("UPDATE accounts SET balance = balance + 1 WHERE id = 1");
    Http http = new Http(daemon.port());
    CompletableFuture<Void> migrate = CompletableFuture.runAsync(() -> Flyway.configure()
        .dataSource(pg.jdbcUrl(), null, null).locations("filesystem:" + migrations)
        // The table predates Flyway here, as in a database adopted by Flyway.
        .baselineOnMigrate(true).baselineVersion("0")
        .load().migrate(), sessions);
    // The window opens when Flyway is seen; then the readers arrive behind the waiting ALTER.
    await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
        "pgvigil_migration_window_active{target=\"app\"}") == 1.0);
    await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
        "pgvigil_lock_waiting_sessions{target=\"app\"}") >= 1.0);
    lock.queue(READERS);
    return new Stall(daemon, lock.holder().connection(), lock.holder().pid(), migrate, lock.reading());
  }

  /** A hook that writes the PGVIGIL_* variables it was given to a file. */
  private String hook() throws Exception {
    Path script = dir.resolve("abort-deploy.sh");
    Files.writeString(script, "#!/bin/sh\nenv | grep '^PGVIGIL_' | sort > '" + dir.resolve("hook.env") + "'\n");
    script.toFile().setExecutable(true);
    return script.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }
}
