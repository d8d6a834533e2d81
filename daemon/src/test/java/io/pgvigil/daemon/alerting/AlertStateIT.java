package io.pgvigil.daemon.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.runtime.TestStorage;
import io.pgvigil.daemon.testing.Receivers;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Firing alerts outlive the daemon: a second daemon on the same data directory (a restart, or the instance that takes
 * the target over) neither pages a condition still true again nor leaves one that cleared meanwhile unresolved.
 */
@ExtendWith(PostgresExtension.class)
class AlertStateIT {

  private static final String KEY = "app/lockWait/";

  @TempDir
  Path dir;

  private final Receivers receivers = new Receivers();
  private final ShadowSettings.Storage storage = TestStorage.storage();
  private Receiver slack;
  private Receiver pagerduty;
  private Backends backends;

  @BeforeEach
  void setUp(TestPostgres pg) throws Exception {
    Sql.execute(pg,
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
    backends = new Backends(pg);
    slack = receivers.webhook();
    pagerduty = receivers.pagerduty();
  }

  @AfterEach
  void tearDown() throws Exception {
    try (Receivers r = receivers) {
      backends.close();
    }
  }

  @Test
  void aStallThatClearedWhileTheDaemonWasStoppedIsResolvedOnceAfterTheRestart(TestPostgres pg)
      throws Exception {
    PgvigilConfig config = config(pg);
    LockStall stall;
    try (RunningDaemon daemon = start(config)) {
      stall = stallFires();
    }
    stall.clear();

    try (RunningDaemon daemon = start(config)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> events("resolve").size() == 1
          && slackMessages("*RESOLVED*").size() == 1);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
          .until(() -> events("resolve").size() == 1 && slackMessages("*RESOLVED*").size() == 1);
      assertThat(events("trigger")).hasSize(1);
      assertThat(slackMessages("*FIRING*")).hasSize(1);
      assertThat(firing(daemon)).isEmpty();
    }
  }

  @Test
  void aStallStillOnAtTheRestartIsNotPagedAgainAndKeepsItsStartTime(TestPostgres pg) throws Exception {
    PgvigilConfig config = config(pg);
    LockStall stall;
    String startsAt;
    try (RunningDaemon daemon = start(config)) {
      stall = stallFires();
      startsAt = firing(daemon).orElseThrow().getString("startsAt");
    }

    try (RunningDaemon daemon = start(config)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> firing(daemon).isPresent());
      assertThat(firing(daemon).orElseThrow().getString("startsAt")).isEqualTo(startsAt);
      // Many polls at 250 ms, each with the stall still on: none is news.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
          .until(() -> events("trigger").size() == 1 && slackMessages("*FIRING*").size() == 1);
      assertThat(firing(daemon).orElseThrow().getString("startsAt")).isEqualTo(startsAt);

      stall.clear();
      await().atMost(Duration.ofSeconds(20)).until(() -> events("resolve").size() == 1
          && slackMessages("*RESOLVED*").size() == 1);
    }
  }

  /** The daemon on this test's one data directory, as a restart finds it. */
  private RunningDaemon start(PgvigilConfig config) throws Exception {
    return RunningDaemon.start(config, storage, Duration.ofSeconds(1), Clock.systemUTC());
  }

  /** An idle transaction holds the table and an ALTER waits: lockWait fires, paged and posted. */
  private LockStall stallFires() throws Exception {
    LockStall stall = new LockStall(backends, "accounts").hold("SELECT balance FROM accounts WHERE id = 1").migrate();
    await().atMost(Duration.ofSeconds(20)).until(() -> events("trigger").size() == 1
        && slackMessages("*FIRING*").size() == 1);
    return stall;
  }

  private PgvigilConfig config(TestPostgres pg) throws Exception {
    return TestDaemon.watching(pg).watch("interval: 250ms, windowInterval: 100ms, statementTimeout: 90ms").with("""
        rules:
          lockWait: { warn: 1s, abort: 1h }
        alerts:
          spool: { directory: ./spool }
          slack: { webhookUrl: "%s" }
          pagerduty: { routingKey: routing-key, url: "%s" }
        """.formatted(slack.url() + "/services/T0/B0/x", pagerduty.url())).in(dir).config();
  }

  private static Optional<JsonObject> firing(RunningDaemon daemon) throws Exception {
    return new JsonObject(new Http(daemon.port()).get("/api/v1/alerts").body()).getJsonArray("firing").stream()
        .map(JsonObject.class::cast).filter(a -> a.getString("key").equals(KEY)).findFirst();
  }

  /** PagerDuty's events about the lockWait alert, by action. */
  private List<JsonObject> events(String action) {
    return pagerduty.accepted().stream().map(Receiver.Request::json)
        .filter(e -> e.getString("event_action").equals(action) && e.getString("dedup_key").equals(KEY))
        .toList();
  }

  private List<String> slackMessages(String status) {
    return slack.accepted().stream().map(r -> r.body().toString())
        .filter(b -> b.contains(status) && b.contains("lockWait on app")).toList();
  }
}
