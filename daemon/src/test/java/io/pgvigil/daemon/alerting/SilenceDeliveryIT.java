package io.pgvigil.daemon.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.CliRun;
import io.pgvigil.daemon.testing.Receivers;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A silence end to end: a real lock stall on a real PostgreSQL, the daemon's rules and a webhook
 * stood in for by a real HTTP server on 127.0.0.1. The silenced alert fires and is listed, is not
 * sent, and is sent once the silence is expired while the stall still holds.
 */
@ExtendWith(PostgresExtension.class)
class SilenceDeliveryIT {

  private static final String TOKEN = "silence-token";
  private static final String KEY = "app/lockQueue/";

  @TempDir
  Path dir;

  private final Receivers receivers = new Receivers();
  private Receiver webhook;
  private Backends backends;

  @BeforeEach
  void setUp(TestPostgres pg) throws Exception {
    Sql.execute(pg,
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
    backends = new Backends(pg);
    webhook = receivers.webhook();
  }

  @AfterEach
  void tearDown() throws Exception {
    try (Receivers r = receivers) {
      backends.close();
    }
  }

  @Test
  void aSilencedAlertFiresAndIsListedButIsSentOnlyOnceTheSilenceIsExpired(TestPostgres pg)
      throws Exception {
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("apiToken: " + TOKEN)
        .watch("interval: 250ms, windowInterval: 100ms, statementTimeout: 90ms").with("""
            rules:
              lockQueue: { warn: 1 }
            alerts:
              webhooks: [{ name: ci, url: "%s" }]
            """.formatted(webhook.url() + "/hook")).in(dir).start()) {
      Http http = new Http(daemon.port());
      String url = "http://127.0.0.1:" + daemon.port();
      Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
      CliRun added =
          CliRun.run("silence", "add", "--url", url, "--token-file", tokenFile.toString(),
              "--target", "app", "--rule", "lockQueue", "--ttl", "10m", "--comment",
              "deploy 42 queues readers");
      assertThat(added.exit()).as(added.err()).isZero();
      String id = added.out().trim();

      LockStall stall =
          new LockStall(backends, "accounts").hold("SELECT balance FROM accounts WHERE id = 1")
              .migrate().queue(2).awaitQueued();
      await().atMost(Duration.ofSeconds(20)).until(() -> firing(http, KEY).isPresent());
      assertThat(firing(http, KEY).get().getJsonArray("silencedBy").getList()).containsExactly(id);
      // Counted all the same (the gauge follows the engine's 500 ms tick).
      await().atMost(Duration.ofSeconds(5)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_alerts_firing{rule=\"lockQueue\",target=\"app\"}") == 1.0);
      // Several ticks (500 ms each) and polls (250 ms) pass: nothing about the silenced alert is sent.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> sent(KEY).isEmpty() && firing(http, KEY).isPresent());
      for (Object o : new JsonObject(http.get("/api/v1/alerts").body()).getJsonArray("firing")) {
        JsonObject alert = (JsonObject) o;
        assertThat(alert.getJsonArray("silencedBy").getList())
            .as("the silence matches its rule only: %s",
                alert.getString("key"))
            .isEqualTo("lockQueue".equals(alert.getString("rule")) ? List.of(id) : List.of());
      }
      CliRun expired =
          CliRun.run("silence", "expire", "--url", url, "--token-file", tokenFile.toString(), id);
      assertThat(expired.exit()).as(expired.err()).isZero();
      await().atMost(Duration.ofSeconds(10)).until(() -> !sent(KEY).isEmpty());
      assertThat(sent(KEY).get(0).getString("status")).isEqualTo("firing");
      assertThat(firing(http, KEY).orElseThrow().getJsonArray("silencedBy")).isEmpty();
      JsonObject silence =
          new JsonObject(http.get("/api/v1/silences").body()).getJsonArray("silences")
              .getJsonObject(0);
      assertThat(silence.getString("id")).isEqualTo(id);
      assertThat(silence.getBoolean("active")).isFalse();
      stall.clear();
      await().atMost(Duration.ofSeconds(20)).until(() -> sent(KEY).stream()
          .anyMatch(a -> "resolved".equals(a.getString("status"))));
    }
  }

  @Test
  void aSilenceOfEveryAlertOfATargetLeavesTheKillSwitchAlone(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("apiToken: " + TOKEN)
        .watch("interval: 250ms, windowInterval: 100ms, statementTimeout: 90ms").with("""
            rules:
              lockQueue: { warn: 1, abort: 2 }
            alerts:
              webhooks: [{ name: ci, url: "%s" }]
            """.formatted(webhook.url() + "/hook")).in(dir).start()) {
      Http http = new Http(daemon.port());
      String id = new JsonObject(http.post("/api/v1/silences", TOKEN,
          "{\"matchers\":{\"target\":\"app\"},\"ttl\":\"10m\",\"comment\":\"all of app\"}").body())
          .getString("id");
      // Inside a window the in-window abort levels apply: the kill switch decides (a dry run by default).
      daemon.windows().open("app", Duration.ofMinutes(10), "deploy 43", "in-window");
      LockStall stall =
          new LockStall(backends, "accounts").hold("SELECT balance FROM accounts WHERE id = 1")
              .migrate().queue(2).awaitQueued();

      await().atMost(Duration.ofSeconds(20))
          .until(() -> new JsonObject(http.get("/api/v1/aborts").body())
              .getJsonArray("aborts").stream().map(JsonObject.class::cast)
              .anyMatch(a -> "cancel".equals(a.getString("action"))
                  && "dry-run".equals(a.getString("result"))));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> new JsonObject(http.get("/api/v1/alerts").body())
              .getJsonArray("firing").stream().map(JsonObject.class::cast)
              .anyMatch(a -> "killSwitch".equals(a.getString("rule"))));
      for (Object o : new JsonObject(http.get("/api/v1/alerts").body()).getJsonArray("firing")) {
        assertThat(((JsonObject) o).getJsonArray("silencedBy").getList()).containsExactly(id);
      }
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
          .until(() -> webhook.requests().isEmpty());
      stall.clear();
    }
  }

  /** The firing alert with this key, from the API. */
  private static Optional<JsonObject> firing(Http http, String key) {
    return new JsonObject(http.get("/api/v1/alerts").body()).getJsonArray("firing").stream()
        .map(JsonObject.class::cast).filter(a -> a.getString("key").equals(key)).findFirst();
  }

  /** Every alert with this key the webhook received, in order. */
  private List<JsonObject> sent(String key) {
    return webhook.accepted().stream().flatMap(r -> r.json().getJsonArray("alerts").stream())
        .map(JsonObject.class::cast).filter(a -> a.getString("key").equals(key)).toList();
  }
}
