package io.pgvigil.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.testing.TestDaemon;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.pgvigil.daemon.watch.TargetStatus;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database that goes away for a while and comes back is watched again within two seconds of
 * accepting connections, however long it was gone: not after the heartbeat's backoff.
 */
class ReturningTargetIT {

  private static final Logger LOG = LoggerFactory.getLogger(ReturningTargetIT.class);

  private static OwnedTestPostgres pg;

  @BeforeAll
  static void startServer() throws Exception {
    pg = TestServers.start("returning");
  }

  @AfterAll
  static void stopServer() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void aDatabaseThatReturnsAfterALongOutageIsPolledWithinTwoSeconds() throws Exception {
    try (RunningDaemon running = TestDaemon.watching("app", pg.uri())
        .watch("interval: 200ms, windowInterval: 200ms, statementTimeout: 150ms").maxBackoff(TargetSpecs.MAX_BACKOFF)
        .start()) {
      Http http = new Http(running.port());
      await().atMost(Duration.ofSeconds(15)).until(() -> status(running).up());

      pg.stop();
      // Seven failed heartbeats: a doubling backoff from 200 ms to 30 s would now wait 12.8 s.
      await().atMost(Duration.ofSeconds(60))
          .until(() -> status(running).checks().get(0).consecutiveFailures() >= 7);
      assertThat(status(running).up()).isFalse();

      pg.start(); // returns once the server accepts connections
      long accepting = System.nanoTime();
      // In process, not over HTTP: on a loaded machine one scrape can take longer than the bound.
      await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
          .until(() -> status(running).up());
      long tookMs = (System.nanoTime() - accepting) / 1_000_000;
      LOG.info("time from accepting connections to the first successful poll: {} ms", tookMs);
      assertThat(tookMs).isLessThan(2_000);
      assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_up{target=\"app\"}"))
          .isEqualTo(1.0);
    }
  }

  private static TargetStatus status(RunningDaemon running) {
    return running.targets().statuses().get(0);
  }
}
