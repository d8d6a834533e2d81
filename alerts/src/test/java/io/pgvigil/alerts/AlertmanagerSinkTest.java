package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.common.SecretValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertmanagerSinkTest {

  @TempDir
  Path spool;

  @Test
  void postsLabelsAnnotationsAndAnEndsAtThatIsRenewedUntilResolved() throws Exception {
    try (Fixture fx = new Fixture();
        Receiver am = Receiver.start(fx.vertx, fx.clock, r -> Receiver.Answer.of(200, ""))) {
      AlertmanagerSink sink = new AlertmanagerSink("alertmanager", fx.client, fx.clock,
          SecretValue.of(am.url() + "/"), SecretValue.of("am-token"),
          "http://pgvigil.example:8080", Duration.ofMinutes(15), Duration.ofSeconds(2));
      DeliveryQueue queue = fx.queue(spool, 100, sink);
      AlertEngine engine = new AlertEngine(fx.clock, queue, List.of(Fixture.routeAll("alertmanager")),
          Duration.ofMinutes(5), true);
      Alert alert = Fixture.lockAlert("app", "public.orders", Severity.CRITICAL,
          fx.clock.instant());
      Instant start = fx.clock.instant();
      engine.fire(alert);
      await(engine.tick());
      await().until(() -> am.accepted().size() == 1);
      fx.clock.advance(Duration.ofMinutes(5));
      await(engine.tick());
      await().until(() -> am.accepted().size() == 2);
      fx.clock.advance(Duration.ofMinutes(1));
      engine.resolve(alert.key());
      await(engine.tick());
      await().until(() -> am.accepted().size() == 3);
      await(queue.close());

      Receiver.Request first = am.requests().get(0);
      assertThat(first.path()).isEqualTo("/api/v2/alerts");
      assertThat(first.header("Authorization")).isEqualTo("Bearer am-token");
      JsonArray body = first.jsonArray();
      assertThat(body).hasSize(1);
      JsonObject posted = body.getJsonObject(0);
      assertThat(posted.getJsonObject("labels").getMap()).containsOnlyKeys("alertname", "target",
          "rule", "severity", "object", "source")
          .containsEntry("alertname", "lockWait").containsEntry("target", "app")
          .containsEntry("severity", "critical").containsEntry("object", "public.orders");
      assertThat(posted.getJsonObject("annotations").getString("summary"))
          .isEqualTo(alert.summary());
      assertThat(posted.getJsonObject("annotations").getString("description"))
          .contains("value 7.2s vs threshold 5s", "pid 4242 (app_rw, idle in transaction, 185s)");
      assertThat(posted.getString("startsAt")).isEqualTo(start.toString());
      assertThat(posted.getString("endsAt")).isEqualTo(start.plus(Duration.ofMinutes(15))
          .toString());
      assertThat(posted.getString("generatorURL"))
          .isEqualTo("http://pgvigil.example:8080/#/targets/app/locks");

      JsonObject repeat = am.requests().get(1).jsonArray().getJsonObject(0);
      assertThat(repeat.getString("startsAt")).isEqualTo(start.toString());
      assertThat(repeat.getString("endsAt")).isEqualTo(start.plus(Duration.ofMinutes(20))
          .toString());
      JsonObject resolved = am.requests().get(2).jsonArray().getJsonObject(0);
      assertThat(resolved.getString("endsAt")).isEqualTo(start.plus(Duration.ofMinutes(6))
          .toString());
      assertThat(resolved.getJsonObject("labels")).isEqualTo(posted.getJsonObject("labels"));
    }
  }
}
