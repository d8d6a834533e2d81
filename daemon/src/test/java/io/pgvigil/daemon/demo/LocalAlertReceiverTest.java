package io.pgvigil.daemon.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Blocker;
import io.pgvigil.alerts.Notification;
import io.pgvigil.alerts.PagerDutySink;
import io.pgvigil.alerts.Severity;
import io.pgvigil.alerts.SlackSink;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The demo's stand-in prints what pgvigil's real Slack and PagerDuty sinks send it, one line each. */
class LocalAlertReceiverTest {

  private final StringWriter console = new StringWriter();
  private final Vertx vertx = Vertx.vertx();
  private final WebClient client = WebClient.create(vertx);

  @AfterEach
  void close() throws Exception {
    client.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Notification notification(Alert... alerts) {
    return new Notification(1, "id-1", "slack", Instant.now(), List.of(alerts));
  }

  private static Alert lockQueue() {
    return Alert.firing("shop", "lockQueue", "", Severity.CRITICAL,
        "lockQueue on shop: sessions queue behind a lock request, 6 against abort 5", "6", "5",
        List.of(new Blocker(4242, "shop_rw", "idle in transaction", 30, null)), Map.of(), Instant.now());
  }

  @Test
  void printsOneLinePerAlertOfASlackMessageAndPerPagerDutyEvent() throws Exception {
    try (LocalAlertReceiver receiver = LocalAlertReceiver.start(new PrintWriter(console))) {
      Alert drift = Alert.firing("shop", "historyDrift", "", Severity.WARNING,
          "historyDrift on shop: the migration history disagrees <with> the repository", "1", "0", List.of(),
          Map.of(), Instant.now());
      new SlackSink("slack", client, Clock.systemUTC(), SecretValue.of(receiver.slackUrl()), null,
          Duration.ofSeconds(5)).send(List.of(notification(lockQueue(), drift))).await(10, TimeUnit.SECONDS);
      PagerDutySink pagerDuty = new PagerDutySink("pagerduty", client, Clock.systemUTC(),
          SecretValue.of("demo"), receiver.pagerDutyUrl(), null, Duration.ofSeconds(5));
      pagerDuty.send(List.of(notification(lockQueue()))).await(10, TimeUnit.SECONDS);
      pagerDuty.send(List.of(notification(lockQueue().resolvedAt(Instant.now())))).await(10, TimeUnit.SECONDS);

      Alert lag = Alert.firing("shop", "replicationLag", "replica-1", Severity.WARNING,
          "replicationLag on shop (replica-1): a standby lags behind, 27.3s against warn 10s", "27.3s", "10s",
          List.of(), Map.of(), Instant.now());
      new SlackSink("slack", client, Clock.systemUTC(), SecretValue.of(receiver.slackUrl()), null,
          Duration.ofSeconds(5)).send(List.of(notification(lag))).await(10, TimeUnit.SECONDS);

      await().until(() -> console.toString().lines().count() == 5);
      assertThat(console.toString().lines()).containsExactly(
          "[slack] FIRING shop lockQueue (critical): sessions queue behind a lock request, 6 against abort 5",
          "[slack] FIRING shop historyDrift (warning): the migration history disagrees <with> the repository",
          "[pagerduty] TRIGGER shop lockQueue (critical): sessions queue behind a lock request, 6 against abort 5",
          "[pagerduty] RESOLVE shop/lockQueue/",
          "[slack] FIRING shop replicationLag replica-1 (warning): a standby lags behind, 27.3s against warn 10s");
    }
  }
}
