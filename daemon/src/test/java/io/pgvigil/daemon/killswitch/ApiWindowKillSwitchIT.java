package io.pgvigil.daemon.killswitch;

import static io.pgvigil.checks.testing.Backends.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill switch inside a window opened through the API, which names no backend: the migration is
 * whatever waiting DDL request has a queue behind it, sent by any tool (here plain JDBC, as psql
 * would). Application sessions that merely block each other are never touched, even with every
 * abort level low and {@code cancel-and-terminate-blockers} on.
 */
@ExtendWith(PostgresExtension.class)
class ApiWindowKillSwitchIT {

  private static final String TOKEN = "api-window-token";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private Backends backends;
  private HookEnvironment hook;

  @BeforeEach
  void schema(TestPostgres pg) throws Exception {
    hook = new HookEnvironment(dir);
    Sql.execute(pg,
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "DO $$ BEGIN CREATE ROLE app_user LOGIN PASSWORD 'app_user'; "
            + "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "GRANT ALL ON SCHEMA public TO app_user",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g",
        "ALTER TABLE accounts OWNER TO app_user",
        "CREATE TABLE ledger (id int PRIMARY KEY, amount int NOT NULL)",
        "INSERT INTO ledger VALUES (1, 0)",
        "ALTER TABLE ledger OWNER TO app_user");
    backends = new Backends(pg);
  }

  @AfterEach
  void close() throws Exception {
    backends.close();
  }

  @Test
  void aRowLockWaitBetweenApplicationSessionsTerminatesNothing(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = daemon(pg, "cancel-and-terminate-blockers")) {
      Http http = new Http(daemon.port());
      openWindow(http);
      Backend holder = app("app-holder", false);
      execute(holder, "UPDATE accounts SET balance = balance + 1 WHERE id = 1");
      Backend first = app("app-first", true);
      Future<?> firstUpdate = backends.start(first, "UPDATE accounts SET balance = balance + 2 WHERE id = 1");
      await().atMost(WAIT).until(() -> waitingOnLock(pg, first.pid()));
      Backend second = app("app-second", true);
      Future<?> secondUpdate = backends.start(second, "UPDATE accounts SET balance = balance + 3 WHERE id = 1");

      // The abort acts once per window: once its hook has run, nothing more will be done in it.
      awaitAction(http, "hook");
      assertThat(actions(http)).containsOnly("hook");
      assertThat(state(pg, holder.pid())).isEqualTo("idle in transaction");
      assertThat(firstUpdate).isNotDone();
      assertThat(secondUpdate).isNotDone();
      holder.connection().rollback();
      firstUpdate.get(10, TimeUnit.SECONDS);
      secondUpdate.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aShareModeHolderWhoseWaiterHasNobodyQueuedBehindItTerminatesNothing(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = daemon(pg, "cancel-and-terminate-blockers")) {
      Http http = new Http(daemon.port());
      openWindow(http);
      Backend holder = app("app-holder", false);
      execute(holder, "LOCK accounts IN SHARE MODE");
      Backend alter = app("migration", true);
      Future<?> altering = backends.start(alter, "ALTER TABLE accounts ADD COLUMN note text");

      awaitAction(http, "hook");
      assertThat(actions(http)).containsOnly("hook");
      assertThat(state(pg, holder.pid())).isEqualTo("idle in transaction");
      assertThat(waitingOnLock(pg, alter.pid())).isTrue();
      holder.connection().rollback();
      altering.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void cancelModeCancelsTheWaitingAlterSoTheQueueDrainsAndLeavesTheHolderAlone(TestPostgres pg)
      throws Exception {
    try (RunningDaemon daemon = daemon(pg, "cancel")) {
      Http http = new Http(daemon.port());
      LockStall stall = stall();
      openWindow(http);

      assertThatThrownBy(() -> stall.altering().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
      for (Future<?> reader : stall.reading()) {
        reader.get(10, TimeUnit.SECONDS);
      }
      assertThat(state(pg, stall.holder().pid())).isEqualTo("idle in transaction");
      JsonObject cancel = awaitAction(http, "cancel");
      assertThat(cancel.getString("result")).isEqualTo("cancelled");
      assertThat(cancel.getInteger("pid")).isEqualTo(stall.alter().pid());
      assertThat(actions(http)).doesNotContain("terminate");
    }
  }

  @Test
  void theHooksTheAuditAndTheAlertNameTheCancelledAlterOfAnApiWindow(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = daemon(pg, "cancel")) {
      Http http = new Http(daemon.port());
      LockStall stall = stall();
      String windowId = openWindow(http);

      assertThatThrownBy(() -> stall.altering().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      Map<String, String> env = hook.awaitRun(WAIT);
      assertThat(env).containsEntry("PGVIGIL_PIDS", Integer.toString(stall.alter().pid()))
          .containsEntry("PGVIGIL_WINDOW_ID", windowId).containsEntry("PGVIGIL_TARGET", "app");

      JsonObject cancel = awaitAction(http, "cancel");
      assertThat(cancel.getString("result")).isEqualTo("cancelled");
      assertThat(cancel.getInteger("pid")).isEqualTo(stall.alter().pid());
      JsonObject request = cancel.getJsonObject("request");
      assertThat(request.getInteger("pid")).isEqualTo(stall.alter().pid());
      assertThat(request.getString("relation")).isEqualTo("public.accounts");
      assertThat(request.getString("mode")).isEqualTo("AccessExclusiveLock");
      assertThat(request.getInteger("queued")).isBetween(1, 3);
      assertThat(cancel.getString("message")).contains("AccessExclusiveLock", "public.accounts");

      JsonObject alert = awaitAlert(http, "window " + windowId + " cancel");
      assertThat(alert.getString("summary"))
          .contains("pid " + stall.alter().pid() + ", AccessExclusiveLock on public.accounts");
      assertThat(alert.getJsonObject("details").getMap()).containsEntry("relation", "public.accounts")
          .containsEntry("lockMode", "AccessExclusiveLock")
          .containsEntry("requestPid", Integer.toString(stall.alter().pid()));
    }
  }

  @Test
  void cancelModeCancelsAMigrationWaitingOnItsSecondTableSoTheReadersOfTheFirstDrain(TestPostgres pg)
      throws Exception {
    try (RunningDaemon daemon = daemon(pg, "cancel")) {
      Http http = new Http(daemon.port());
      // One migration transaction, two tables: ALTER TABLE accounts goes through, ALTER TABLE ledger waits for
      // an idle transaction that read ledger, and the readers of accounts wait for the migration's lock on it.
      Backend holder = app("app-holder", false);
      execute(holder, "SELECT count(*) FROM ledger");
      Backend migration = app("rails", false);
      execute(migration, "ALTER TABLE accounts ADD COLUMN note text");
      Future<?> altering = backends.start(migration, "ALTER TABLE ledger ADD COLUMN note text");
      await().atMost(WAIT).until(() -> waitingOnLock(pg, migration.pid()));
      List<Future<?>> reading = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        Backend reader = app("app-reader-" + i, true);
        reading.add(backends.start(reader, "SELECT count(*) FROM accounts"));
        await().atMost(WAIT).until(() -> waitingOnLock(pg, reader.pid()));
      }
      openWindow(http);

      assertThatThrownBy(() -> altering.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
      for (Future<?> reader : reading) {
        reader.get(10, TimeUnit.SECONDS);
      }
      JsonObject cancel = awaitAction(http, "cancel");
      assertThat(cancel.getString("result")).isEqualTo("cancelled");
      assertThat(cancel.getInteger("pid")).isEqualTo(migration.pid());
      assertThat(state(pg, holder.pid())).isEqualTo("idle in transaction");
      assertThat(actions(http)).doesNotContain("terminate");
    }
  }

  @Test
  void aStallThatFormsAfterTheWindowsFirstAbortIsStillCancelled(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = daemon(pg, "cancel")) {
      Http http = new Http(daemon.port());
      openWindow(http);
      Backend holder = app("app-holder", false);
      execute(holder, "UPDATE accounts SET balance = balance + 1 WHERE id = 1");
      Backend alter = app("psql", true);
      Future<?> altering = backends.start(alter, "ALTER TABLE accounts ADD COLUMN note text");
      // The ALTER waits on a quiet table: lockWait aborts, the hooks run, nobody queues yet.
      awaitAction(http, "hook");
      assertThat(actions(http)).containsOnly("hook");
      assertThat(hook.awaitRun(WAIT)).as("nothing was cancelled when the hooks ran").containsEntry("PGVIGIL_PIDS", "");
      assertThat(waitingOnLock(pg, alter.pid())).isTrue();

      Backend reader = app("app-reader", true);
      Future<?> reading = backends.start(reader, "SELECT count(*) FROM accounts");

      assertThatThrownBy(() -> altering.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
      reading.get(10, TimeUnit.SECONDS);
      assertThat(awaitAction(http, "cancel").getInteger("pid")).isEqualTo(alter.pid());
      assertThat(state(pg, holder.pid())).isEqualTo("idle in transaction");
    }
  }

  @Test
  void theOptInModeTerminatesTheStallsIdleRootAndNotAnotherApplicationBlocker(TestPostgres pg)
      throws Exception {
    try (RunningDaemon daemon = daemon(pg, "cancel-and-terminate-blockers")) {
      Http http = new Http(daemon.port());
      // On another table, an application session holds a row another one waits for: not the stall.
      Backend otherHolder = app("app-other-holder", false);
      execute(otherHolder, "SELECT * FROM ledger WHERE id = 1 FOR UPDATE");
      Backend otherWaiter = app("app-other-waiter", true);
      Future<?> otherWait = backends.start(otherWaiter, "UPDATE ledger SET amount = 1 WHERE id = 1");
      await().atMost(WAIT).until(() -> waitingOnLock(pg, otherWaiter.pid()));
      LockStall stall = stall();
      openWindow(http);

      assertThatThrownBy(() -> stall.altering().get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
      await().atMost(WAIT).until(() -> state(pg, stall.holder().pid()).equals("gone"));
      JsonObject terminate = awaitAction(http, "terminate");
      assertThat(terminate.getInteger("pid")).isEqualTo(stall.holder().pid());
      assertThat(terminate.getString("result")).isEqualTo("terminated");
      assertThat(terminate.getJsonObject("request").getInteger("pid")).isEqualTo(stall.alter().pid());
      assertThat(terminate.getJsonObject("request").getString("relation")).isEqualTo("public.accounts");
      assertThat(terminate.getString("message")).contains("role app_user", "root blocker of the AccessExclusiveLock"
          + " request of pid " + stall.alter().pid());
      assertThat(hook.awaitRun(WAIT)).as("the hooks are told the cancelled request, not the terminated root")
          .containsEntry("PGVIGIL_PIDS", Integer.toString(stall.alter().pid()));
      assertThat(decisions(http).stream().filter(d -> d.getString("action").equals("terminate"))).hasSize(1);
      assertThat(state(pg, otherHolder.pid())).isEqualTo("idle in transaction");
      assertThat(otherWait).isNotDone();
      otherHolder.connection().rollback();
      otherWait.get(10, TimeUnit.SECONDS);
    }
  }

  /** An idle holder of a row of accounts, an ALTER waiting for it, three readers queued behind the ALTER. */
  private LockStall stall() throws Exception {
    return new LockStall(backends, "accounts").as("app_user", "app_user")
        .hold("UPDATE accounts SET balance = balance + 1 WHERE id = 1")
        .migrate("ALTER TABLE accounts ADD COLUMN note text").queue(3).awaitQueued();
  }

  /** Every abort level low, the terminate guard's idle time short: only the stall definition protects. */
  private RunningDaemon daemon(TestPostgres pg, String mode) throws Exception {
    return TestDaemon.watching(pg).server("apiToken: " + TOKEN)
        .watch("interval: 250ms, windowInterval: 100ms, statementTimeout: 90ms").with("""
            rules:
              lockWait: { warn: 100ms, abort: 200ms, for: 0s }
              lockQueue: { warn: 1, abort: 1, for: 0s }
              idleInTransaction: { warn: 100ms, abort: 200ms, for: 0s }
            killSwitch:
              mode: %s
              hooks: [{ exec: ["%s"] }]
              terminate: { roles: [app_user], idleInTransactionAfter: 100ms }
            """.formatted(mode, hook.command())).in(dir).start();
  }

  private Backend app(String applicationName, boolean autocommit) throws SQLException {
    return backends.open(applicationName, autocommit, "app_user", "app_user");
  }

  /** Opens a window through the API, naming no backend; returns its id. */
  private static String openWindow(Http http) {
    var response = http.post("/api/v1/windows", TOKEN, "{\"target\":\"app\",\"ttl\":\"10m\",\"label\":\"deploy\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body()).getString("id");
  }

  /** The firing killSwitch alert about {@code object} (e.g. {@code window ID cancel}). */
  private static JsonObject awaitAlert(Http http, String object) {
    return await().atMost(WAIT).until(() -> new JsonObject(http.get("/api/v1/alerts").body()).getJsonArray("firing")
        .stream().map(JsonObject.class::cast)
        .filter(a -> "killSwitch".equals(a.getString("rule")) && object.equals(a.getString("object"))).findFirst(),
        java.util.Optional::isPresent).orElseThrow();
  }

  private static List<JsonObject> decisions(Http http) {
    return new JsonObject(http.get("/api/v1/aborts").body()).getJsonArray("aborts").stream()
        .map(JsonObject.class::cast).toList();
  }

  private static List<String> actions(Http http) {
    return decisions(http).stream().map(d -> d.getString("action")).toList();
  }

  private static JsonObject awaitAction(Http http, String action) {
    return await().atMost(WAIT).until(() -> decisions(http).stream()
        .filter(d -> d.getString("action").equals(action)).findFirst(), java.util.Optional::isPresent).orElseThrow();
  }

  private static boolean waitingOnLock(TestPostgres pg, int pid) throws SQLException {
    try (Connection c = pg.connect();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = "
            + pid)) {
      return rows.next();
    }
  }

  private static String state(TestPostgres pg, int pid) throws SQLException {
    try (Connection c = pg.connect();
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid)) {
      return rows.next() ? rows.getString(1) : "gone";
    }
  }
}
