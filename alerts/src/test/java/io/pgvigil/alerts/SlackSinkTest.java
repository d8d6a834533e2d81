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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlackSinkTest {

  @TempDir
  Path spool;
  private Fixture fx;
  private Receiver slack;
  private DeliveryQueue queue;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture();
    // Slack's incoming webhook answers 200 with the plain-text body "ok"
    slack = Receiver.start(fx.vertx, fx.clock, req -> Receiver.Answer.of(200, "ok"));
    SlackSink sink = new SlackSink("slack", fx.client, fx.clock,
        SecretValue.of(slack.url() + "/services/T000/B000/XXXXXXXX"),
        "http://pgvigil.example:8080", Duration.ofSeconds(2));
    queue = fx.queue(spool, 1000, sink);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(queue.close());
    slack.close();
    fx.close();
  }

  @Test
  void postsBlockKitMessageWithTargetRuleValueCensusAndLinks() throws Exception {
    Alert alert = Fixture.lockAlert("app", "public.orders", Severity.CRITICAL,
        fx.clock.instant());
    await(queue.enqueue("slack", List.of(alert)));
    await().until(() -> slack.accepted().size() == 1);

    Receiver.Request req = slack.requests().get(0);
    assertThat(req.path()).isEqualTo("/services/T000/B000/XXXXXXXX");
    assertThat(req.header("Content-Type")).isEqualTo("application/json");
    JsonObject msg = req.json();
    assertThat(msg.getString("text")).isEqualTo("Firing: lockWait on app");
    JsonArray blocks = msg.getJsonArray("blocks");
    assertThat(blocks.size()).isLessThanOrEqualTo(50);
    assertThat(blocks.getJsonObject(0).getString("type")).isEqualTo("header");
    assertThat(blocks.getJsonObject(0).getJsonObject("text").getString("type"))
        .isEqualTo("plain_text");
    String all = blocks.encode();
    JsonObject fieldsSection = find(blocks, "section", "fields");
    List<String> fields = new ArrayList<>();
    fieldsSection.getJsonArray("fields").forEach(f -> fields.add(((JsonObject) f)
        .getString("text")));
    assertThat(fields).contains("*Target*\napp", "*Rule*\nlockWait", "*Severity*\ncritical",
        "*Value / threshold*\n7.2s / 5s");
    assertThat(all).contains("pid 4242  app_rw  idle in transaction  185s");
    // The status page's view of the target for people, the JSON beside it for scripts.
    assertThat(all).contains("<http://pgvigil.example:8080/#/targets/app/locks|status page>",
        "<http://pgvigil.example:8080/api/v1/targets/app/locks|JSON>",
        "<http://pgvigil.example:8080/#/alerts|all alerts>");
  }

  @Test
  void coalescesABurstAndSendsAtMostOneMessagePerSecond() throws Exception {
    for (int i = 0; i < 5; i++) {
      await(queue.enqueue("slack", List.of(Fixture.lockAlert("app", "t" + i, Severity.WARNING,
          fx.clock.instant()))));
    }
    await().until(() -> slack.count() == 1);
    await().during(Duration.ofMillis(200)).until(() -> slack.count() == 1);
    fx.clock.advance(Duration.ofMillis(999));
    await().during(Duration.ofMillis(100)).until(() -> slack.count() == 1);
    fx.clock.advance(Duration.ofMillis(1));
    await().until(() -> slack.count() == 2);
    await().during(Duration.ofMillis(100)).until(() -> queue.spoolDepth("slack") == 0);

    List<Receiver.Request> sent = slack.requests();
    assertThat(Duration.between(sent.get(0).at(), sent.get(1).at()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    // every alert in exactly one message, in order
    String both = sent.get(0).body().toString() + sent.get(1).body().toString();
    int last = -1;
    for (int i = 0; i < 5; i++) {
      String marker = "on t" + i + " waits";
      assertThat(both.indexOf(marker)).isGreaterThan(last);
      assertThat(both.indexOf(marker)).isEqualTo(both.lastIndexOf(marker));
      last = both.indexOf(marker);
    }
    assertThat(sent.get(1).json().getString("text")).startsWith("pgvigil: ");
    assertThat(fx.count(DeliveryResult.SENT)).isEqualTo(5);
  }

  private static JsonObject find(JsonArray blocks, String type, String key) {
    for (Object o : blocks) {
      JsonObject b = (JsonObject) o;
      if (type.equals(b.getString("type")) && b.containsKey(key)) {
        return b;
      }
    }
    throw new AssertionError("no " + type + " block with " + key + " in " + blocks.encode());
  }
}
