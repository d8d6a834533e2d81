package io.pgvigil.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.testing.TestDaemon;
import io.pgvigil.daemon.watch.CheckStatus;
import io.pgvigil.daemon.watch.TargetStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two targets, one of whose databases goes away mid-run: the other keeps its
 * polls on time, and the lost one is found again after its database returns.
 */
class SchedulerIsolationIT {

  private static final Duration INTERVAL = Duration.ofMillis(200);

  private static OwnedTestPostgres steady;
  private static OwnedTestPostgres flaky;

  @BeforeAll
  static void startServers() throws Exception {
    steady = TestServers.start("steady");
    flaky = TestServers.start("flaky");
  }

  @AfterAll
  static void stopServers() {
    if (steady != null) {
      steady.close();
    }
    if (flaky != null) {
      flaky.close();
    }
  }

  @Test
  void aTargetThatGoesDownNeitherDelaysTheOtherNorStaysLost() throws Exception {
    try (RunningDaemon running = TestDaemon.watching("steady", steady.uri()).and("flaky", flaky.uri())
        .watch("interval: 200ms, windowInterval: 200ms, statementTimeout: 150ms").start()) {
      Http http = new Http(running.port());
      await().atMost(Duration.ofSeconds(15)).until(() -> isUp(running, "steady") && isUp(running, "flaky"));

      flaky.stop();
      await().atMost(Duration.ofSeconds(10)).until(() -> !isUp(running, "flaky"));

      long outageStart = System.nanoTime();
      long steadyRunsBefore = heartbeat(running, "steady").runs();
      // Keep the flaky target down for a while, polling the steady one meanwhile.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> heartbeat(running, "flaky").consecutiveFailures() >= 3);
      Duration outage = Duration.ofNanos(System.nanoTime() - outageStart);
      long steadyRuns = heartbeat(running, "steady").runs() - steadyRunsBefore;

      long expected = outage.toMillis() / INTERVAL.toMillis();
      assertThat(steadyRuns)
          .as("steady polls during a %d ms outage of the other target", outage.toMillis())
          .isGreaterThanOrEqualTo((long) Math.floor(expected * 0.8));
      assertThat(heartbeat(running, "steady").failing()).isFalse();
      assertThat(isUp(running, "steady")).isTrue();

      flaky.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> isUp(running, "flaky"));

      String metrics = http.get("/metrics").body();
      assertThat(Http.sample(metrics, "pgvigil_up{target=\"steady\"}")).isEqualTo(1.0);
      assertThat(Http.sample(metrics, "pgvigil_up{target=\"flaky\"}")).isEqualTo(1.0);
      assertThat(Http.sample(metrics, "pgvigil_check_errors_total{check=\"server\",target=\"flaky\"}"))
          .isGreaterThanOrEqualTo(3.0);
      assertThat(Http.sample(metrics, "pgvigil_check_errors_total{check=\"server\",target=\"steady\"}"))
          .isEqualTo(0.0);
    }
  }

  private static boolean isUp(RunningDaemon running, String target) {
    return status(running, target).up();
  }

  private static CheckStatus heartbeat(RunningDaemon running, String target) {
    return status(running, target).checks().get(0);
  }

  private static TargetStatus status(RunningDaemon running, String target) {
    return running.targets().statuses().stream().filter(s -> s.name().equals(target))
        .findFirst().orElseThrow();
  }
}
