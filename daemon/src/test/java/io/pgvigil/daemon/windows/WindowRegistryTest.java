package io.pgvigil.daemon.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.alerts.testing.MutableClock;
import io.pgvigil.daemon.cluster.SharedMap;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WindowRegistryTest {

  private static final OffsetDateTime HOLDER_START = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final OffsetDateTime WORKER_START = HOLDER_START.plusSeconds(1);

  private final WindowRegistry windows = new WindowRegistry(Clock.systemUTC());

  @Test
  void countsEveryWindowOpenedAndClosedPerTargetEvenOneShorterThanAScrape() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WindowRegistry counted = new WindowRegistry(Clock.systemUTC(), registry);
    counted.countWindowsOf("app");
    assertThat(count(registry, "pgvigil.migration.windows.opened", "app")).isZero();

    String api = counted.open("app", Duration.ofMinutes(5), "deploy 42", "in-window").id();
    counted.openAuto("app", "flyway", 10, HOLDER_START, false, Set.of(10), Duration.ofHours(1));
    counted.openAuto("app", "flyway", 10, HOLDER_START, false, Set.of(10), Duration.ofHours(1));
    counted.close(api, "closed");
    counted.migrationEnded("app", Set.of());

    assertThat(count(registry, "pgvigil.migration.windows.opened", "app")).isEqualTo(2.0);
    assertThat(count(registry, "pgvigil.migration.windows.closed", "app")).isEqualTo(2.0);
    assertThat(counted.active("app")).isFalse();
  }

  @Test
  void inAClusterOnlyTheOpenerCountsAWindowClosedWhoeverClosedIt() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      MutableClock clock = MutableClock.at("2026-12-01T12:00:00Z");
      SimpleMeterRegistry metersA = new SimpleMeterRegistry();
      SimpleMeterRegistry metersB = new SimpleMeterRegistry();
      WindowRegistry a = new WindowRegistry(clock, metersA);
      WindowRegistry b = new WindowRegistry(clock, metersB);
      for (WindowRegistry instance : List.of(a, b)) {
        SharedMap map = new SharedMap(vertx, "windows", Optional.empty(), clock);
        map.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        instance.share(map);
        instance.countWindowsOf("app");
      }

      // Opened on a, expired by both: each instance's expiry closes the shared window.
      a.open("app", Duration.ofMinutes(1), "deploy 42", "in-window");
      await().atMost(Duration.ofSeconds(10)).until(() -> b.active("app"));
      clock.advance(Duration.ofMinutes(2));
      b.expire();
      a.expire();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(metersA, CLOSED, "app") == 1.0);
      // Opened on a, closed through b's API: still counted by a, once.
      String second = a.open("app", Duration.ofMinutes(5), "deploy 43", "in-window").id();
      await().atMost(Duration.ofSeconds(10)).until(() -> b.active("app"));
      assertThat(b.close(second, "closed")).isPresent();
      await().atMost(Duration.ofSeconds(10)).until(() -> count(metersA, CLOSED, "app") == 2.0);
      a.expire();

      assertThat(count(metersA, OPENED, "app") + count(metersB, OPENED, "app")).isEqualTo(2.0);
      assertThat(count(metersA, CLOSED, "app") + count(metersB, CLOSED, "app")).isEqualTo(2.0);
      assertThat(count(metersB, CLOSED, "app")).isZero();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static final String OPENED = "pgvigil.migration.windows.opened";
  private static final String CLOSED = "pgvigil.migration.windows.closed";

  private static double count(SimpleMeterRegistry registry, String name, String target) {
    return registry.get(name).tag("target", target).counter().count();
  }

  @Test
  void aToolSeenAgainKeepsItsWindow() {
    assertThat(windows.openAuto("app", "flyway", 10, HOLDER_START, false, Set.of(10), Duration.ofHours(1)))
        .isPresent();
    assertThat(windows.openAuto("app", "flyway", 10, HOLDER_START, false, Set.of(10), Duration.ofHours(1)))
        .isEmpty();
    assertThat(windows.openWindows("app")).hasSize(1);
  }

  @Test
  void theRecordMovesToTheBackendThatStartsRunningStatements() {
    // First poll: only Flyway's lock holder, idle in transaction; the worker has not started.
    String id = windows.openAuto("app", "flyway", 10, HOLDER_START, false, Set.of(10), Duration.ofHours(1))
        .orElseThrow().id();
    // Next poll: the worker runs the ALTER; it is the one a cancel must reach.
    windows.openAuto("app", "flyway", 11, WORKER_START, true, Set.of(10, 11), Duration.ofHours(1));

    MigrationWindow window = window(id);
    assertThat(window.backendPid()).isEqualTo(11);
    assertThat(window.backendStart()).isEqualTo(WORKER_START);
    assertThat(windows.openWindows("app")).hasSize(1);
  }

  @Test
  void anIdleCandidateDoesNotReplaceARecordedBackendStillSeen() {
    String id = windows.openAuto("app", "flyway", 11, WORKER_START, true, Set.of(10, 11), Duration.ofHours(1))
        .orElseThrow().id();
    windows.openAuto("app", "flyway", 10, HOLDER_START, false, Set.of(10, 11), Duration.ofHours(1));
    assertThat(window(id).backendPid()).isEqualTo(11);

    // The recorded backend is gone while the tool still runs: the record follows the one left.
    windows.openAuto("app", "flyway", 10, HOLDER_START, false, Set.of(10), Duration.ofHours(1));
    assertThat(window(id).backendPid()).isEqualTo(10);
  }

  @Test
  void onlyInWindowProfileWindowsBringTheInWindowRules() {
    MigrationWindow fastOnly = windows.open("app", Duration.ofMinutes(5), "watch closely", "always");
    assertThat(windows.active("app")).isTrue();
    assertThat(windows.inWindowProfile("app")).isFalse();
    windows.open("app", Duration.ofMinutes(5), "deploy", WindowRegistry.IN_WINDOW);
    assertThat(windows.inWindowProfile("app")).isTrue();
    assertThat(windows.inWindowProfile("other")).isFalse();
    windows.close(fastOnly.id(), "closed");
    assertThat(windows.inWindowProfile("app")).isTrue();
  }

  private MigrationWindow window(String id) {
    return windows.all().stream().filter(w -> w.id().equals(id)).findFirst().orElseThrow();
  }
}
