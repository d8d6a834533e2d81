package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.ServerLog;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.Ports;
import io.pgvigil.daemon.testing.Receivers;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clustered instances, one target: a window and a silence made through the instance that does
 * not own the target are honoured by the one that does; a stall is cancelled once, not twice, and
 * each alert reaches each receiver once; when the owner goes, the other acts inside the same window.
 */
@ExtendWith(PostgresExtension.class)
class ClusteredKillSwitchIT {

  private static final String TOKEN = "clustered-token";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private ServerLog log;
  private Backends backends;
  private Receivers receivers;
  private Receiver pagerduty;
  private Receiver webhook;

  @BeforeEach
  void setUp(TestPostgres pg) throws Exception {
    log = ServerLog.mark(pg);
    Sql.execute(pg,
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "DO $$ BEGIN CREATE ROLE app_user LOGIN PASSWORD 'app_user'; "
            + "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        "GRANT ALL ON SCHEMA public TO app_user",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g",
        "ALTER TABLE accounts OWNER TO app_user");
    backends = new Backends(pg);
    receivers = new Receivers();
    pagerduty = receivers.pagerduty();
    webhook = receivers.webhook();
  }

  @AfterEach
  void tearDown() throws Exception {
    try (Receivers r = receivers) {
      backends.close();
    }
  }

  @Test
  void theOwnerActsOnceInAWindowOpenedThroughTheOtherAndTheSurvivorActsAfterIt(TestPostgres pg) throws Exception {
    int portA = Ports.free();
    int portB = Ports.free();
    String peers = "\"127.0.0.1:" + portA + "\", \"127.0.0.1:" + portB + "\"";
    RunningDaemon a = daemon(pg, "a", portA, peers);
    RunningDaemon b = daemon(pg, "b", portB, peers);
    try {
      await().atMost(WAIT).until(() -> owned(a) != owned(b));
      RunningDaemon owner = owned(a) ? a : b;
      RunningDaemon other = owner == a ? b : a;
      // Silenced through the other instance: the owner decides the lock-wait alert but sends it nowhere.
      var silenced = new Http(other.port()).post("/api/v1/silences", TOKEN,
          "{\"matchers\":{\"target\":\"app\",\"rule\":\"lockWait\"},\"ttl\":\"1h\",\"comment\":\"known\"}");
      assertThat(silenced.statusCode()).as(silenced.body()).isEqualTo(201);
      String silenceId = new JsonObject(silenced.body()).getString("id");
      LockStall stall = stall().queue(2).awaitQueued();
      // Outside a window nothing aborts: the stall's lock wait fires on the owner, silenced.
      await().atMost(WAIT).until(() -> new JsonObject(new Http(owner.port()).get("/api/v1/alerts").body())
          .getJsonArray("firing").stream().map(JsonObject.class::cast)
          .anyMatch(x -> x.getString("key").equals("app/lockWait/")
              && x.getJsonArray("silencedBy").contains(silenceId)));
      String windowId = openWindow(new Http(other.port()));
      assertCancelled(stall);
      await().atMost(WAIT).until(() -> cancels(owner) == 1);
      int alter = stall.alter().pid();
      await().atMost(WAIT).until(() -> log.count(ServerLog.CANCEL, alter) == 1);
      // Both instances list every instance's decisions: still one cancel in all (PostgreSQL's own log agrees: one,
      // of the ALTER), and each alert sent once (per severity: the stall's alert escalates from warning to critical
      // when the window opens).
      await().during(Duration.ofSeconds(3)).atMost(WAIT).until(() -> cancels(owner) == 1 && cancels(other) == 1
          && log.count(ServerLog.CANCEL) == 1 && log.count(ServerLog.CANCEL, alter) == 1
          && !triggers().isEmpty() && triggers().values().stream().allMatch(n -> n == 1)
          && firings().values().stream().allMatch(n -> n == 1));
      assertThat(triggers()).containsKey("app/killSwitch/window " + windowId + " cancel")
          .doesNotContainKey("app/lockWait/");
      assertThat(firings().keySet()).noneMatch(k -> k.startsWith("app/lockWait/"));
      // Either instance answers for the target: the one that does not own it lists the owner's alerts.
      await().atMost(WAIT).until(() -> new JsonObject(new Http(other.port()).get("/api/v1/alerts").body())
          .getJsonArray("firing").stream().map(JsonObject.class::cast)
          .anyMatch(x -> x.getString("key").equals("app/killSwitch/window " + windowId + " cancel")));
      backends.close();
      backends = new Backends(pg);

      owner.close();
      await().atMost(WAIT).until(() -> owned(other));
      assertThat(other.windows().active("app")).isTrue();
      // The window is still open: the survivor cancels the next stall as soon as one reader queues.
      assertCancelled(stall().queue(1));
      await().atMost(WAIT).until(() -> cancels(other) == 2);
    } finally {
      a.close();
      b.close();
    }
  }

  private void assertCancelled(LockStall stall) {
    assertThatThrownBy(() -> stall.altering().get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
  }

  private RunningDaemon daemon(TestPostgres pg, String name, int port, String peers) throws Exception {
    return TestDaemon.watching(pg).server("apiToken: " + TOKEN + ", instance: " + name
        + ", cluster: { enabled: true, name: killswitch-it, host: 127.0.0.1, port: " + port
        + ", eventBusPort: 0, peers: [" + peers + "] }")
        .watch("interval: 250ms, windowInterval: 100ms, statementTimeout: 90ms").with("""
            rules:
              lockQueue: { warn: 1, abort: 1, for: 0s }
            killSwitch:
              mode: cancel
            alerts:
              spool: { directory: ./spool }
              pagerduty: { routingKey: test-routing-key, url: "%s", severities: [critical] }
              webhooks: [{ name: ci, url: "%s" }]
            """.formatted(pagerduty.url(), webhook.url())).in(Files.createDirectories(dir.resolve(name))).start();
  }

  /** An idle holder of a row of accounts and an ALTER waiting for it; readers are queued by the caller. */
  private LockStall stall() throws Exception {
    return new LockStall(backends, "accounts").as("app_user", "app_user")
        .hold("UPDATE accounts SET balance = balance + 1 WHERE id = 1")
        .migrate("ALTER TABLE accounts ADD COLUMN IF NOT EXISTS note text");
  }

  private static boolean owned(RunningDaemon d) {
    return d.targets().find("app").orElseThrow().monitor().status().owned();
  }

  private static long cancels(RunningDaemon d) {
    return new JsonObject(new Http(d.port()).get("/api/v1/aborts").body()).getJsonArray("aborts").stream()
        .map(JsonObject.class::cast).filter(x -> x.getString("action").equals("cancel")).count();
  }

  /** PagerDuty trigger events by dedup key. */
  private Map<String, Long> triggers() {
    return pagerduty.accepted().stream().map(Receiver.Request::json)
        .filter(e -> e.getString("event_action").equals("trigger"))
        .collect(Collectors.groupingBy(e -> e.getString("dedup_key"), Collectors.counting()));
  }

  /** Firing alerts the webhook was told of, by key and severity. */
  private Map<String, Long> firings() {
    return webhook.accepted().stream().map(Receiver.Request::json)
        .flatMap(n -> n.getJsonArray("alerts").stream().map(JsonObject.class::cast))
        .filter(x -> x.getString("status").equals("firing"))
        .collect(Collectors.groupingBy(x -> x.getString("key") + " " + x.getString("severity"), Collectors.counting()));
  }

  private static String openWindow(Http http) {
    var response = http.post("/api/v1/windows", TOKEN, "{\"target\":\"app\",\"ttl\":\"10m\",\"label\":\"deploy\"}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body()).getString("id");
  }
}
