package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.alerts.testing.MutableClock;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several members' copies of one map on one local Vert.x (its event bus and its shared {@link AsyncMap} stand for the
 * cluster's), each with its own clock, member id and secret.
 */
class SharedMapTest {

  private static final String NAME = "test";
  private static final SecretValue SECRET = SecretValue.of("a-secret-every-member-shares");

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final MutableClock clock = MutableClock.at("2026-12-01T12:00:00Z");
  private final List<SharedMap> maps = new ArrayList<>();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void tearDown() {
    maps.forEach(m -> done(m.close()));
    done(vertx.close());
  }

  private SharedMap member(String id, Clock clock, RecordSeal seal, Optional<Path> file) {
    SharedMap map = new SharedMap(vertx, NAME, file, clock, id, seal, registry);
    maps.add(map);
    return map;
  }

  private SharedMap started(String id, RecordSeal seal) {
    SharedMap map = member(id, clock, seal, Optional.empty());
    done(map.start());
    return map;
  }

  private AsyncMap<String, String> clusterMap() {
    return done(vertx.sharedData().getAsyncMap("pgvigil." + NAME));
  }

  private static <T> T done(Future<T> f) {
    try {
      return f.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private double rejected() {
    return registry.get("pgvigil.cluster.rejected.records").tag("map", NAME).counter().count();
  }

  private static JsonObject v(String value) {
    return new JsonObject().put("v", value);
  }

  @Test
  void twoMembersWritingInTheSameMillisecondEndWithTheSameValue() {
    // Written before either hears the other: same time, so only the members' ids can order them.
    SharedMap a = member("member-a", clock, RecordSeal.none(), Optional.empty());
    SharedMap b = member("member-b", clock, RecordSeal.none(), Optional.empty());
    a.put("k", v("from a"));
    b.put("k", v("from b"));

    done(a.start());
    done(b.start());

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(a.get("k")).contains(v("from b"));
      assertThat(b.get("k")).contains(v("from b"));
      assertThat(new JsonObject(done(clusterMap().get("k"))).getJsonObject("value")).isEqualTo(v("from b"));
    });
  }

  @Test
  void concurrentChangesUnderAStoppedClockEndTheSameOnEveryMember() throws Exception {
    SharedMap a = started("member-a", RecordSeal.none());
    SharedMap b = started("member-b", RecordSeal.none());
    ExecutorService writers = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    try {
      for (int t = 0; t < 4; t++) {
        int thread = t;
        writers.submit(() -> {
          go.await();
          for (int i = 0; i < 200; i++) {
            a.put("k", v(thread + "/" + i));
          }
          return null;
        });
      }
      go.countDown();
    } finally {
      writers.shutdown();
      assertThat(writers.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(b.get("k")).isEqualTo(a.get("k"));
      assertThat(new JsonObject(done(clusterMap().get("k"))).getJsonObject("value")).isEqualTo(a.get("k").get());
    });
  }

  @Test
  void aChangeMadeAfterSeeingANewerOneWinsEvenWhenThisMembersClockIsBehind() {
    MutableClock ahead = MutableClock.at("2026-12-01T12:00:30Z");
    SharedMap a = started("member-a", RecordSeal.none());
    SharedMap b = member("member-b", ahead, RecordSeal.none(), Optional.empty());
    done(b.start());

    b.put("k", v("first, from a clock 30 s ahead"));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.get("k").isPresent());
    a.put("k", v("second"));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(b.get("k")).contains(v("second")));
    assertThat(a.get("k")).contains(v("second"));
  }

  @Test
  void anOlderVersionReachingTheClusterMapAfterANewerOneDoesNotReplaceIt() {
    SharedMap a = started("member-a", RecordSeal.none());
    // Another member's change a minute later got into the cluster map first; its event-bus message was lost.
    String newer = new JsonObject().put("at", clock.millis() + 60_000).put("by", "member-z").put("value", v("newer"))
        .encode();
    done(clusterMap().put("k", newer));

    done(a.put("k", v("older")));

    assertThat(done(clusterMap().get("k"))).isEqualTo(newer);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(a.get("k")).contains(v("newer")));
  }

  @Test
  void membersWithTheSameSecretShareAndAMemberWithAnotherDropsAndCounts() {
    SharedMap a = started("member-a", RecordSeal.of(SECRET));
    SharedMap same = started("member-b", RecordSeal.of(SECRET));
    SharedMap other = started("member-c", RecordSeal.of(SecretValue.of("another-secret-entirely")));

    a.put("k", v("signed"));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(same.get("k")).contains(v("signed")));
    await().atMost(Duration.ofSeconds(5)).until(() -> rejected() >= 1);
    assertThat(other.get("k")).isEmpty();
    assertThat(other.values()).isEmpty();
  }

  @Test
  void aForgedOrMovedRecordOnTheEventBusIsNeverApplied() {
    SharedMap a = started("member-a", RecordSeal.of(SECRET));
    a.put("k", v("real"));
    JsonObject forged = new JsonObject().put("at", Long.MAX_VALUE - 1).put("by", "intruder").put("value", v("forged"));
    // Rightly signed, but for another map: a silence must not become a window.
    JsonObject moved = RecordSeal.of(SECRET).seal("silences", "k", forged.copy().put("value", v("moved")));
    JsonObject wrongKey = RecordSeal.of(SECRET).seal(NAME, "other", forged.copy().put("value", v("wrong key")));

    vertx.eventBus().publish("pgvigil.shared." + NAME, new JsonObject().put("key", "k").put("entry", forged));
    vertx.eventBus().publish("pgvigil.shared." + NAME, new JsonObject().put("key", "k").put("entry", moved));
    vertx.eventBus().publish("pgvigil.shared." + NAME, new JsonObject().put("key", "k").put("entry", wrongKey));
    vertx.eventBus().publish("pgvigil.shared." + NAME, "not even JSON");

    await().atMost(Duration.ofSeconds(5)).until(() -> rejected() == 4);
    assertThat(a.get("k")).contains(v("real"));
    assertThat(a.values()).containsOnlyKeys("k");
  }

  @Test
  void aForgedRecordInTheClusterMapIsDroppedAtStartAndReplacedByTheNextChange() {
    String forged = new JsonObject().put("at", Long.MAX_VALUE - 1).put("by", "intruder").put("value", v("forged"))
        .encode();
    done(clusterMap().put("k", forged));

    SharedMap a = started("member-a", RecordSeal.of(SECRET));
    assertThat(a.get("k")).isEmpty();
    assertThat(rejected()).isEqualTo(1);

    done(a.put("k", v("real")));
    JsonObject stored = new JsonObject(done(clusterMap().get("k")));
    assertThat(stored.getJsonObject("value")).isEqualTo(v("real"));
    assertThat(stored.getString("mac")).isNotEmpty();
  }

  @Test
  void theStateFileSurvivesARestartAndATamperedRecordInItIsDropped() throws Exception {
    Path file = dir.resolve("state").resolve(NAME + ".json");
    SharedMap first = member("member-a", clock, RecordSeal.of(SECRET), Optional.of(file));
    done(first.start());
    first.put("window", v("open"));
    first.put("silence", v("until noon"));
    done(first.close());
    maps.remove(first);
    assertThat(Files.list(file.getParent()).map(p -> p.getFileName().toString())).containsExactly(NAME + ".json");

    JsonObject text = new JsonObject(Files.readString(file));
    text.getJsonObject("entries").getJsonObject("silence").put("value", v("for ever"));
    Files.writeString(file, text.encode());

    // A new Vert.x: what the restarted member knows comes from the file only.
    Vertx restarted = Vertx.vertx();
    try {
      SharedMap second = new SharedMap(restarted, NAME, Optional.of(file), clock, "member-a2", RecordSeal.of(SECRET),
          registry);
      done(second.start());
      assertThat(second.get("window")).contains(v("open"));
      assertThat(second.get("silence")).isEmpty();
      assertThat(rejected()).isEqualTo(1);
      done(second.close());
    } finally {
      done(restarted.close());
    }
  }

  @Test
  void theSameContentInAnotherFieldOrderCarriesTheSameMac() {
    JsonObject entry = new JsonObject().put("at", 1).put("by", "m").put("value", new JsonObject().put("x", 1)
        .put("y", new JsonObject().put("b", "2").put("a", List.of(1, 2))));
    JsonObject reordered = new JsonObject().put("value", new JsonObject().put("y", new JsonObject().put("a",
        List.of(1, 2)).put("b", "2")).put("x", 1)).put("by", "m").put("at", 1L);
    RecordSeal seal = RecordSeal.of(SECRET);

    JsonObject sealed = seal.seal(NAME, "k", entry);
    assertThat(seal.verify(NAME, "k", reordered.put("mac", sealed.getString("mac")))).isTrue();
    assertThat(seal.verify(NAME, "k", new JsonObject(sealed.encode()))).isTrue();
    assertThat(seal.verify(NAME, "k", sealed.copy().put("by", "n"))).isFalse();
    assertThat(seal.verify(NAME, "k", entry)).as("no MAC").isFalse();
    assertThat(RecordSeal.none().verify(NAME, "k", entry)).isTrue();
  }
}
