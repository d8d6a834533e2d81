package io.pgvigil.daemon.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Alert delivery end to end: a real lock stall on a real PostgreSQL, the daemon's rules, and
 * Slack, PagerDuty and a signed webhook stood in for by real HTTP servers on 127.0.0.1.
 */
@ExtendWith(PostgresExtension.class)
class AlertDeliveryIT {

  private static final String SLACK_PATH = "/services/T0SECRET/B0SECRET/slack-path-secret";
  private static final String ROUTING_KEY = "pd-routing-key-secret";
  private static final String HMAC_SECRET = "hmac-secret-value";
  private static final String WEBHOOK_PATH = "/hooks/webhook-path-secret";
  private static final List<String> SECRETS = List.of("slack-path-secret", "T0SECRET", ROUTING_KEY,
      HMAC_SECRET, "webhook-path-secret");
  private static final int READERS = 2;

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Receiver slack;
  private Receiver pagerduty;
  private Receiver webhook;
  private Backends backends;

  @BeforeEach
  void setUp(TestPostgres pg) throws Exception {
    Sql.execute(pg,
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
    backends = new Backends(pg);
    slack = Receiver.start(vertx, 200);
    pagerduty = Receiver.start(vertx, 202);
    webhook = Receiver.start(vertx, 200);
    logs.start();
    root().addAppender(logs);
  }

  @AfterEach
  void tearDown() throws Exception {
    root().detachAppender(logs);
    backends.close();
    slack.close();
    pagerduty.close();
    webhook.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aLockStallPostsToSlackPagesPagerDutyAndResolvesBothWhenItClears(TestPostgres pg) throws Exception {
    slack.answer(500); // Slack has a bad moment: the first message is retried
    try (RunningDaemon daemon = TestDaemon.start(config(pg))) {
      Http http = new Http(daemon.port());
      // Inside a migration window the in-window profile's abort levels apply: critical alerts.
      daemon.windows().open("app", Duration.ofMinutes(10), "deploy 42", "in-window");
      LockStall stall = stall();

      await().atMost(Duration.ofSeconds(20)).until(() -> triggers("app/lockQueue/").size() == 1);
      JsonObject trigger = triggers("app/lockQueue/").get(0);
      assertThat(trigger.getString("routing_key")).isEqualTo(ROUTING_KEY);
      assertThat(trigger.getJsonObject("payload").getString("severity")).isEqualTo("critical");
      assertThat(trigger.getJsonObject("payload").getJsonObject("custom_details").getJsonArray("census")
          .getJsonObject(0).getInteger("pid")).as("the root blocker").isEqualTo(stall.holder().pid());
      await().atMost(Duration.ofSeconds(10)).until(() -> !slack.requests().isEmpty());
      slack.answer(200);
      await().atMost(Duration.ofSeconds(20)).until(() -> slack.accepted().stream()
          .anyMatch(r -> r.body().toString().contains("*FIRING* *lockQueue on app")));
      String firing = slack.accepted().stream().map(r -> r.body().toString())
          .filter(b -> b.contains("*FIRING* *lockQueue on app")).findFirst().orElseThrow();
      assertThat(firing).contains("pid " + stall.holder().pid(), "idle in transaction");

      JsonObject api = new JsonObject(http.get("/api/v1/alerts").body());
      assertThat(api.getJsonArray("sinks").getList()).containsExactly("slack", "pagerduty", "ci");
      assertThat(api.getJsonArray("firing").stream().map(a -> ((JsonObject) a).getString("key")))
          .contains("app/lockQueue/");
      assertThat(Http.sample(http.get("/metrics").body(),
          "pgvigil_alerts_firing{rule=\"lockQueue\",target=\"app\"}")).isEqualTo(1.0);

      stall.clear();
      await().atMost(Duration.ofSeconds(20)).until(() -> resolves("app/lockQueue/").size() == 1);
      assertThat(resolves("app/lockQueue/").get(0).getString("routing_key")).isEqualTo(ROUTING_KEY);
      await().atMost(Duration.ofSeconds(20)).until(() -> slack.accepted().stream()
          .anyMatch(r -> r.body().toString().contains("*RESOLVED* *lockQueue on app")));
      // The lock alerts resolve; the kill switch's own dry-run decision (it would cancel the
      // ALTER that has the queue) is an event that stays listed, so only the lock rules are judged.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> new JsonObject(http.get("/api/v1/alerts").body()).getJsonArray("firing").stream()
              .map(a -> ((JsonObject) a).getString("key"))
              .noneMatch(key -> key.startsWith("app/lock")));
      JsonObject after = new JsonObject(http.get("/api/v1/alerts").body());
      assertThat(after.getJsonArray("resolved").stream().map(a -> ((JsonObject) a).getString("key")))
          .contains("app/lockQueue/");

      // The signed webhook got them too, each body signed with the secret.
      await().atMost(Duration.ofSeconds(10)).until(() -> webhook.accepted().stream()
          .anyMatch(r -> r.body().toString().contains("\"resolved\"")));
      for (Receiver.Request r : webhook.accepted()) {
        assertThat(r.header("X-Pgvigil-Signature")).isEqualTo("sha256=" + hmac(r.body().getBytes()));
      }

      String metrics = http.get("/metrics").body();
      assertThat(Http.sample(metrics, "pgvigil_alert_notifications_total{result=\"retried\",sink=\"slack\"}"))
          .isGreaterThanOrEqualTo(1.0);
      assertThat(Http.sample(metrics, "pgvigil_alert_notifications_total{result=\"sent\",sink=\"pagerduty\"}"))
          .isGreaterThanOrEqualTo(2.0);
      assertThat(Http.sample(metrics, "pgvigil_alerts_firing{rule=\"lockQueue\",target=\"app\"}"))
          .isEqualTo(0.0);
      assertThat(metrics).contains("pgvigil_alert_spool_depth{sink=\"ci\"}");
      assertNoSecretIn("/metrics", metrics);
      assertNoSecretIn("/api/v1/alerts", http.get("/api/v1/alerts").body());
    }
    assertNoSecretIn("the log", logText());
    for (Receiver.Request r : Stream.of(slack, webhook).flatMap(x -> x.requests().stream()).toList()) {
      assertNoSecretIn("a Slack or webhook body", r.body().toString());
    }
  }

  @Test
  void aReceiverDownAcrossARestartGetsTheSpooledNotificationsInOrderAndOnlyOnce(TestPostgres pg)
      throws Exception {
    webhook.down();
    PgvigilConfig config = config(pg);
    try (RunningDaemon daemon = TestDaemon.start(config)) {
      daemon.windows().open("app", Duration.ofMinutes(10), "deploy 43", "in-window");
      LockStall stall = stall();
      await().atMost(Duration.ofSeconds(20)).until(() -> triggers("app/lockQueue/").size() == 1);
      stall.clear();
      await().atMost(Duration.ofSeconds(20)).until(() -> resolves("app/lockQueue/").size() == 1);
      // The webhook's notifications (firing, then resolved) wait in its spool, retried meanwhile.
      await().atMost(Duration.ofSeconds(10)).until(() -> spooled().stream()
          .anyMatch(n -> n.encode().contains("\"resolved\"")));
      assertThat(Http.sample(new Http(daemon.port()).get("/metrics").body(),
          "pgvigil_alert_spool_depth{sink=\"ci\"}")).isGreaterThanOrEqualTo(2.0);
    }
    List<JsonObject> left = spooled();
    assertThat(left).hasSizeGreaterThanOrEqualTo(2);

    webhook.up();
    try (RunningDaemon daemon = TestDaemon.start(config)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> webhook.accepted().size() >= left.size());
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
          .until(() -> webhook.accepted().size() == left.size());
      assertThat(webhook.accepted()).extracting(r -> r.json().getString("notificationId"))
          .containsExactlyElementsOf(left.stream().map(n -> n.getString("id")).toList());
      assertThat(webhook.accepted()).extracting(r -> r.json().getLong("seq"))
          .isSorted().doesNotHaveDuplicates();
      assertThat(webhook.accepted().get(webhook.accepted().size() - 1).json().getJsonArray("alerts")
          .getJsonObject(0).getString("status")).isEqualTo("resolved");
      await().atMost(Duration.ofSeconds(5)).until(() -> spooled().isEmpty());
    }
    assertNoSecretIn("the log", logText());
  }

  @Test
  void aSpoolThatCannotBeWrittenLosesNothingAndIsCountedAndSeenUndelivered(TestPostgres pg)
      throws Exception {
    webhook.down();
    try (RunningDaemon daemon = TestDaemon.start(config(pg))) {
      Http http = new Http(daemon.port());
      // A full disk, root-proof: the webhook's spool directory becomes a file, so no write lands.
      Path sinkDir = dir.resolve("spool/ci");
      Files.delete(sinkDir);
      Files.writeString(sinkDir, "not a directory");
      daemon.windows().open("app", Duration.ofMinutes(10), "deploy 44", "in-window");
      LockStall stall = stall();
      await().atMost(Duration.ofSeconds(20)).until(() -> triggers("app/lockQueue/").size() == 1);

      await().atMost(Duration.ofSeconds(10)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_alert_notifications_total{result=\"spool_failed\",sink=\"ci\"}") >= 1.0);
      // What PgvigilAlertsUndelivered watches sees the notification kept in memory.
      assertThat(Http.sample(http.get("/metrics").body(),
          "pgvigil_alert_spool_depth{sink=\"ci\"}")).isGreaterThanOrEqualTo(1.0);

      webhook.up();
      // Delivered from memory at the queue's next retry (its backoff grew while the hook was down).
      await().atMost(Duration.ofSeconds(40)).until(() -> webhook.accepted().stream()
          .anyMatch(r -> r.body().toString().contains("lockQueue")));
      stall.clear();
      await().atMost(Duration.ofSeconds(20)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_alert_spool_depth{sink=\"ci\"}") == 0.0);
    }
  }

  private PgvigilConfig config(TestPostgres pg) throws Exception {
    return TestDaemon.watching(pg).watch("interval: 250ms, windowInterval: 100ms, statementTimeout: 90ms").with("""
        rules:
          lockQueue: { warn: 1, abort: 2 }
        alerts:
          spool: { directory: ./spool }
          slack: { webhookUrl: "${env:SLACK_WEBHOOK_URL}" }
          pagerduty: { routingKey: "${env:PD_ROUTING_KEY}", url: "%s", severities: [critical] }
          webhooks: [{ name: ci, url: "%s", secret: "${env:HOOK_SECRET}" }]
        """.formatted(pagerduty.url(), webhook.url() + WEBHOOK_PATH))
        .env("SLACK_WEBHOOK_URL", slack.url() + SLACK_PATH).env("PD_ROUTING_KEY", ROUTING_KEY)
        .env("HOOK_SECRET", HMAC_SECRET).in(dir).config();
  }

  /** The PagerDuty events of one dedup key, by action. */
  private List<JsonObject> triggers(String key) {
    return events("trigger", key);
  }

  private List<JsonObject> resolves(String key) {
    return events("resolve", key);
  }

  private List<JsonObject> events(String action, String key) {
    return pagerduty.accepted().stream().map(Receiver.Request::json)
        .filter(e -> e.getString("event_action").equals(action) && e.getString("dedup_key").equals(key))
        .toList();
  }

  /** The webhook's spooled notifications, in file (send) order. */
  private List<JsonObject> spooled() throws Exception {
    Path sinkDir = dir.resolve("spool/ci");
    if (!Files.isDirectory(sinkDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(sinkDir)) {
      List<JsonObject> out = new ArrayList<>();
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".ntf")).sorted().toList()) {
        String text = Files.readString(p, StandardCharsets.UTF_8);
        out.add(new JsonObject(text.substring(text.indexOf('\n') + 1)));
      }
      return out;
    }
  }

  /** An idle transaction holds the table, an ALTER waits behind it, readers queue behind the ALTER. */
  private LockStall stall() throws Exception {
    return new LockStall(backends, "accounts").hold("SELECT balance FROM accounts WHERE id = 1").migrate()
        .queue(READERS);
  }

  private static String hmac(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(HMAC_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private String logText() {
    StringBuilder sb = new StringBuilder();
    for (ILoggingEvent e : List.copyOf(logs.list)) {
      sb.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        sb.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
      }
    }
    return sb.toString();
  }

  private static void assertNoSecretIn(String where, String text) {
    assertThat(text).as("%s", where).isNotBlank();
    for (String secret : SECRETS) {
      assertThat(text).as("%s must not contain a secret", where).doesNotContain(secret);
    }
  }
}
