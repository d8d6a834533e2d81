package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.internal.Signatures;
import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.common.SecretValue;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSinkTest {

  private static final String SECRET = "hmac-s3cret-value";

  @TempDir
  Path spool;
  private Fixture fx;
  private Receiver hook;
  private final AtomicBoolean down = new AtomicBoolean();

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture();
    hook = Receiver.start(fx.vertx, fx.clock, req -> down.get()
        ? Receiver.Answer.of(503, "{\"error\":\"maintenance\"}") : Receiver.Answer.of(204, ""));
  }

  @AfterEach
  void tearDown() throws Exception {
    hook.close();
    fx.close();
  }

  private WebhookSink sink(Duration timeout) {
    return new WebhookSink("webhook", fx.client, fx.clock, SecretValue.of(hook.url() + "/in"),
        SecretValue.of(SECRET), timeout);
  }

  @Test
  void bodyMatchesTheDocumentedSchemaAndTheSignatureVerifies() throws Exception {
    DeliveryQueue queue = fx.queue(spool, 100, sink(Duration.ofSeconds(2)));
    Alert a = Fixture.lockAlert("app", "public.orders", Severity.CRITICAL, fx.clock.instant());
    Notification n = await(queue.enqueue("webhook", List.of(a, Fixture.lockAlert("app",
        "public.items", Severity.WARNING, fx.clock.instant()))));
    await().until(() -> hook.accepted().size() == 1);
    await(queue.close());

    Receiver.Request req = hook.requests().get(0);
    byte[] raw = req.body().getBytes();
    assertThat(req.header("X-Pgvigil-Signature"))
        .isEqualTo(Signatures.sign(SECRET.getBytes(StandardCharsets.UTF_8), raw))
        .matches("sha256=[0-9a-f]{64}");
    assertThat(req.header("X-Pgvigil-Notification-Id")).isEqualTo(n.id());
    JsonObject body = req.json();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("schemaVersion", "notificationId",
        "seq", "createdAt", "target", "alerts");
    assertThat(body.getString("schemaVersion")).isEqualTo("1");
    assertThat(body.getString("notificationId")).isEqualTo(n.id());
    assertThat(body.getString("target")).isEqualTo("app");
    JsonObject first = body.getJsonArray("alerts").getJsonObject(0);
    assertThat(first.fieldNames()).containsExactlyInAnyOrder("key", "target", "rule", "object",
        "severity", "status", "summary", "value", "threshold", "startsAt", "endsAt", "census",
        "details");
    assertThat(first.getString("key")).isEqualTo("app/lockWait/public.orders");
    assertThat(first.getString("status")).isEqualTo("firing");
    assertThat(first.getString("severity")).isEqualTo("critical");
    assertThat(first.getString("startsAt")).isEqualTo("2025-03-01T12:00:00Z");
    assertThat(first.getValue("endsAt")).isNull();
    assertThat(first.getJsonObject("details").getString("lockMode"))
        .isEqualTo("AccessExclusiveLock");
    assertThat(body.getJsonArray("alerts")).hasSize(2);
  }

  @Test
  void anOutageLosesAndDuplicatesNothing() throws Exception {
    down.set(true);
    DeliveryQueue queue = fx.queue(spool, 100, sink(Duration.ofSeconds(2)));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(await(queue.enqueue("webhook", List.of(Fixture.lockAlert("app", "t" + i,
          Severity.ERROR, fx.clock.instant())))).id());
    }
    // an hour of outage in simulated time: retries back off, nothing is given up
    for (int i = 0; i < 12; i++) {
      long before = hook.count();
      fx.clock.advance(Duration.ofMinutes(5));
      await().until(() -> hook.count() > before);
    }
    assertThat(hook.accepted()).isEmpty();
    assertThat(queue.spoolDepth("webhook")).isEqualTo(10);
    assertThat(fx.count(DeliveryResult.FAILED) + fx.count(DeliveryResult.DROPPED)).isZero();

    down.set(false);
    fx.clock.advance(Duration.ofMinutes(5));
    await().until(() -> hook.accepted().size() == 10);
    await().during(Duration.ofMillis(200)).until(() -> hook.accepted().size() == 10);
    List<String> received = hook.accepted().stream()
        .map(r -> r.header("X-Pgvigil-Notification-Id")).toList();
    assertThat(received).containsExactlyElementsOf(ids);
    assertThat(queue.spoolDepth("webhook")).isZero();
    assertThat(fx.count(DeliveryResult.SENT)).isEqualTo(10);
    await(queue.close());
  }

  @Test
  void aHangingReceiverTimesOutAndIsRetried() throws Exception {
    hook.answer(req -> hook.count() == 0 ? Receiver.Answer.hang() : Receiver.Answer.of(200, ""));
    DeliveryQueue queue = fx.queue(spool, 100, sink(Duration.ofMillis(300)));
    await(queue.enqueue("webhook", List.of(Fixture.lockAlert("app", "t", Severity.ERROR,
        fx.clock.instant()))));
    await().until(() -> fx.count(DeliveryResult.RETRIED) == 1);
    assertThat(fx.events.get(0).detail()).containsIgnoringCase("timeout");
    fx.clock.advance(Duration.ofSeconds(2));
    await().until(() -> fx.count(DeliveryResult.SENT) == 1);
    assertThat(queue.spoolDepth("webhook")).isZero();
    await(queue.close());
  }
}
