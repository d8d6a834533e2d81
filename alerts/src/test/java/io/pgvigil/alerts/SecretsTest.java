package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.common.SecretValue;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class SecretsTest {

  private static final String SLACK_PATH = "/services/T0SECRET/B0SECRET/xoxSLACKTOKEN";
  private static final String ROUTING_KEY = "PDKEYSECRET00000000000000000001";
  private static final String HMAC = "HMACSECRETVALUE";

  @TempDir
  Path spool;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void capture() {
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void release() {
    root.detachAppender(logs);
  }

  @Test
  void secretsNeverReachLogsEventsOrToString() throws Exception {
    try (Fixture fx = new Fixture();
        Receiver hanging = Receiver.start(fx.vertx, fx.clock, r -> Receiver.Answer.hang());
        Receiver rejecting = Receiver.start(fx.vertx, fx.clock, r -> Receiver.Answer.of(400,
            "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\"}"))) {
      SlackSink slack = new SlackSink("slack", fx.client, fx.clock,
          SecretValue.of(hanging.url() + SLACK_PATH), null, Duration.ofMillis(200));
      PagerDutySink pd = new PagerDutySink("pagerduty", fx.client, fx.clock,
          SecretValue.of(ROUTING_KEY), rejecting.url(), null, Duration.ofSeconds(2));
      WebhookSink hook = new WebhookSink("webhook", fx.client, fx.clock,
          SecretValue.of(hanging.url() + "/hook?token=" + HMAC), SecretValue.of(HMAC),
          Duration.ofMillis(200));
      DeliveryQueue queue = fx.queue(spool, 10, slack, pd, hook);
      Alert alert = Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant());
      for (String sink : List.of("slack", "pagerduty", "webhook")) {
        await(queue.enqueue(sink, List.of(alert)));
      }
      await().until(() -> fx.count(DeliveryResult.RETRIED) == 2
          && fx.count(DeliveryResult.FAILED) == 1);
      await(queue.close());

      WebhookHook webhookHook = new WebhookHook(fx.client,
          SecretValue.of(hanging.url() + SLACK_PATH), Duration.ofMillis(200));
      HookResult result = await(webhookHook.run(new HookEvent("app", "lockWait", "cancel",
          Severity.CRITICAL, "7s", "5s", null, List.of(1), "s", Instant.EPOCH)));
      assertThat(result.ok()).isFalse();

      StringBuilder everything = new StringBuilder();
      logs.list.forEach(e -> {
        everything.append(e.getFormattedMessage()).append('\n');
        if (e.getThrowableProxy() != null) {
          everything.append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
        }
      });
      fx.events.forEach(e -> everything.append(e).append('\n'));
      everything.append(result).append(slack).append(pd).append(hook).append(webhookHook)
          .append(SecretValue.of(ROUTING_KEY)).append(alert);
      String text = everything.toString();
      assertThat(text).contains("timeout", "HTTP 400"); // the failures were logged
      assertThat(text).doesNotContain("SECRET", "xoxSLACKTOKEN", ROUTING_KEY, HMAC);
    }
  }
}
