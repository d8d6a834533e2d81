package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.common.SecretValue;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PagerDutySinkTest {

  private static final String ROUTING_KEY = "R0UT1NGK3Y0000000000000000000042";

  @TempDir
  Path spool;
  private Fixture fx;
  private Receiver pd;
  private DeliveryQueue queue;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture();
    pd = Receiver.start(fx.vertx, fx.clock, req -> accepted(req.json()));
    PagerDutySink sink = new PagerDutySink("pagerduty", fx.client, fx.clock,
        SecretValue.of(ROUTING_KEY), pd.url(), "http://pgvigil.example:8080",
        Duration.ofSeconds(2));
    queue = fx.queue(spool, 1000, sink);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(queue.close());
    pd.close();
    fx.close();
  }

  /** What the Events API answers to a valid event (HTTP 202). */
  static Receiver.Answer accepted(JsonObject event) {
    return Receiver.Answer.of(202, new JsonObject().put("status", "success")
        .put("message", "Event processed").put("dedup_key", event.getString("dedup_key"))
        .encode());
  }

  @Test
  void triggerAndResolveCarryTheSameDedupAndRoutingKey() throws Exception {
    AlertEngine engine = new AlertEngine(fx.clock, queue, List.of(Fixture.routeAll("pagerduty")),
        Duration.ofMinutes(5), true);
    Alert alert = Fixture.lockAlert("app", "public.orders", Severity.CRITICAL, fx.clock.instant());
    engine.fire(alert);
    await(engine.tick());
    await().until(() -> pd.accepted().size() == 1);
    fx.clock.advance(Duration.ofSeconds(30));
    engine.resolve(alert.key());
    await(engine.tick());
    await().until(() -> pd.accepted().size() == 2);

    JsonObject trigger = pd.requests().get(0).json();
    assertThat(pd.requests().get(0).path()).isEqualTo("/v2/enqueue");
    assertThat(trigger.getString("routing_key")).isEqualTo(ROUTING_KEY);
    assertThat(trigger.getString("event_action")).isEqualTo("trigger");
    assertThat(trigger.getString("dedup_key")).isEqualTo("app/lockWait/public.orders");
    JsonObject payload = trigger.getJsonObject("payload");
    assertThat(payload.getString("summary")).isEqualTo(alert.summary());
    assertThat(payload.getString("source")).isEqualTo("app");
    assertThat(payload.getString("severity")).isEqualTo("critical");
    assertThat(payload.getString("timestamp")).isEqualTo("2025-03-01T12:00:00Z");
    assertThat(payload.getString("component")).isEqualTo("public.orders");
    assertThat(payload.getString("group")).isEqualTo("app");
    assertThat(payload.getString("class")).isEqualTo("lockWait");
    JsonObject custom = payload.getJsonObject("custom_details");
    assertThat(custom.getString("value")).isEqualTo("7.2s");
    assertThat(custom.getString("threshold")).isEqualTo("5s");
    assertThat(custom.getJsonArray("census").getJsonObject(0).getMap())
        .containsEntry("pid", 4242).containsEntry("role", "app_rw")
        .containsEntry("state", "idle in transaction").containsEntry("ageSeconds", 185)
        .doesNotContainKey("query");
    assertThat(trigger.getJsonArray("links").getJsonObject(0).getString("href"))
        .isEqualTo("http://pgvigil.example:8080/#/targets/app/locks");
    assertThat(trigger.getJsonArray("links").getJsonObject(1).getString("href"))
        .isEqualTo("http://pgvigil.example:8080/api/v1/targets/app/locks");
    assertThat(trigger.getString("client_url")).isEqualTo("http://pgvigil.example:8080/#/alerts");

    JsonObject resolve = pd.requests().get(1).json();
    assertThat(resolve.getString("event_action")).isEqualTo("resolve");
    assertThat(resolve.getString("dedup_key")).isEqualTo(trigger.getString("dedup_key"));
    assertThat(resolve.getString("routing_key")).isEqualTo(ROUTING_KEY);
    assertThat(fx.count(DeliveryResult.SENT)).isEqualTo(2);
  }

  @Test
  void badRequestIsDroppedAsClientErrorAndNotRetried() throws Exception {
    pd.answer(req -> Receiver.Answer.of(400, new JsonObject().put("status", "invalid event")
        .put("message", "Event object is invalid")
        .put("errors", List.of("'payload.summary' is missing or blank")).encode()));
    await(queue.enqueue("pagerduty", List.of(Fixture.lockAlert("app", "t", Severity.ERROR,
        fx.clock.instant()))));
    await().until(() -> fx.count(DeliveryResult.FAILED) == 1);
    fx.clock.advance(Duration.ofHours(1));
    queue.pumpAll();
    await().during(Duration.ofMillis(300)).until(() -> pd.count() == 1);
    assertThat(queue.spoolDepth("pagerduty")).isZero();
    assertThat(fx.events).extracting(DeliveryEvent::detail).contains("HTTP 400");
  }

  @Test
  void tooManyRequestsWaitsForRetryAfter() throws Exception {
    pd.answer(req -> pd.count() == 0
        ? new Receiver.Answer(429, Map.of("Retry-After", "30"), "")
        : accepted(req.json()));
    await(queue.enqueue("pagerduty", List.of(Fixture.lockAlert("app", "t", Severity.ERROR,
        fx.clock.instant()))));
    await().until(() -> fx.count(DeliveryResult.RETRIED) == 1);
    fx.clock.advance(Duration.ofSeconds(29));
    await().during(Duration.ofMillis(200)).until(() -> pd.count() == 1);
    fx.clock.advance(Duration.ofSeconds(1));
    await().until(() -> fx.count(DeliveryResult.SENT) == 1);
    assertThat(Duration.between(pd.requests().get(0).at(), pd.requests().get(1).at()))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void staysUnder120EventsPerMinute() throws Exception {
    for (int i = 0; i < 150; i++) {
      await(queue.enqueue("pagerduty", List.of(Fixture.lockAlert("app", "t" + i,
          Severity.WARNING, fx.clock.instant()))));
    }
    await().until(() -> pd.count() == 100);
    await().during(Duration.ofMillis(200)).until(() -> pd.count() == 100);
    fx.clock.advance(Duration.ofSeconds(60));
    await().until(() -> pd.count() == 150);

    List<Receiver.Request> all = pd.requests();
    for (Receiver.Request first : all) {
      long inWindow = all.stream().filter(r -> !r.at().isBefore(first.at())
          && r.at().isBefore(first.at().plusSeconds(60))).count();
      assertThat(inWindow).isLessThanOrEqualTo(120);
    }
    List<String> keys = new ArrayList<>();
    all.forEach(r -> keys.add(r.json().getString("dedup_key")));
    assertThat(keys).doesNotHaveDuplicates().hasSize(150);
    assertThat(keys.get(0)).isEqualTo("app/lockWait/t0");
    assertThat(keys.get(149)).isEqualTo("app/lockWait/t149");
  }
}
