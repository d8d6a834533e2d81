package io.pgvigil.daemon.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Severity;
import io.pgvigil.alerts.Silence;
import io.pgvigil.alerts.testing.MutableClock;
import io.pgvigil.daemon.cluster.SharedMap;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SilencesTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final MutableClock clock = MutableClock.at("2026-12-01T12:00:00Z");
  private SharedMap map;
  private Silences silences;

  @BeforeEach
  void setUp() throws Exception {
    map = new SharedMap(vertx, "silences", Optional.of(dir.resolve("silences.json")), clock);
    map.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    silences = new Silences(map, clock);
  }

  @AfterEach
  void tearDown() throws Exception {
    map.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Alert alert(String target, String rule) {
    return Alert.firing(target, rule, null, Severity.WARNING, "s", "2", "1", null, null,
        clock.instant());
  }

  @Test
  void silencesTheMatchingAlertsUntilItEndsOrIsExpired() {
    Silence s = silences.add("app", "lock*", null, clock.instant().plus(Duration.ofHours(2)),
        "deploy", "alice");
    Silence other =
        silences.add("billing", null, null, clock.instant().plus(Duration.ofHours(2)), "x", null);
    assertThat(silences.silencing(alert("app", "lockQueue"))).containsExactly(s.id());
    assertThat(silences.silences(alert("app", "lockWait"), clock.instant())).isTrue();
    assertThat(silences.silences(alert("app", "idleInTransaction"), clock.instant())).isFalse();
    assertThat(
        silences.silences(alert("app", "lockWait"), clock.instant().plus(Duration.ofHours(2))))
        .isFalse();

    clock.advance(Duration.ofMinutes(5));
    assertThat(silences.expire(s.id())).get().extracting(Silence::endsAt)
        .isEqualTo(clock.instant());
    assertThat(silences.silencing(alert("app", "lockQueue"))).isEmpty();
    assertThat(silences.expire(s.id())).as("only an active silence expires").isEmpty();
    assertThat(silences.expire("no-such-id")).isEmpty();
    assertThat(silences.all()).extracting(Silence::id).containsExactly(other.id(), s.id());
  }

  @Test
  void anEndedSilenceStaysListedForADayThenGoes() {
    Silence first =
        silences.add("app", null, null, clock.instant().plus(Duration.ofHours(1)), "one", null);
    Silence second =
        silences.add("app", null, null, clock.instant().plus(Duration.ofHours(2)), "two", null);
    Silence later =
        silences.add("app", null, null, clock.instant().plus(Duration.ofDays(2)), "three", null);
    clock.advance(Duration.ofHours(3));
    assertThat(silences.all()).extracting(Silence::id).containsExactly(later.id(), second.id(),
        first.id());

    clock.advance(Duration.ofHours(22)); // the first ended 24 h ago, the second 23 h ago
    assertThat(silences.all()).extracting(Silence::id).containsExactly(later.id(), second.id());
    silences.prune();
    assertThat(map.values()).containsOnlyKeys(later.id(), second.id());
  }
}
