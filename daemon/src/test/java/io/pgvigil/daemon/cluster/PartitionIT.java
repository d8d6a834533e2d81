package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TcpProxy;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An owner cut off from its database (no socket closed: a partition) steps down by itself before
 * the server frees its lock, and another instance owns the target within
 * {@code 2 × watch.interval + connectTimeout}.
 */
@ExtendWith(PostgresExtension.class)
class PartitionIT {

  private static final Duration INTERVAL = Duration.ofSeconds(1);
  private static final Duration CONNECT = Duration.ofSeconds(1);
  /** For a CPU shared with other builds. */
  /** One interval: the bound's worst case has no room left for the taker's own probe on a starved CPU. */
  private static final Duration SLACK = INTERVAL;

  @Test
  void aPartitionedOwnerStepsDownBeforeAnotherInstanceOwnsTheTargetWithinTheBound(TestPostgres pg)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = TcpProxy.start(vertx, pg.host(), pg.port())) {
      String throughProxy =
          pg.uri().replace("@" + pg.host() + ":" + pg.port() + "/", "@127.0.0.1:" + proxy.port() + "/");
      // The longest statementTimeout the interval allows: the bound must not depend on it.
      String watch = "interval: 1s, statementTimeout: 900ms";
      try (RunningDaemon a = TestDaemon.watching("app", throughProxy).settings("connectTimeout: 1s").watch(watch)
          .server("instance: a").start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> owned(a));
        try (RunningDaemon b = TestDaemon.watching("app", pg.uri()).settings("connectTimeout: 1s").watch(watch)
            .server("instance: b").start()) {
          await().atMost(Duration.ofSeconds(20)).until(() -> b.targets().find("app").orElseThrow().monitor()
              .status().up());
          assertThat(owned(a)).isTrue();
          assertThat(owned(b)).isFalse();

          long cut = System.nanoTime();
          proxy.blackhole();
          long[] aStopped = {0};
          await().atMost(INTERVAL.multipliedBy(2).plus(CONNECT).plusSeconds(10)).pollInterval(Duration.ofMillis(5))
              .until(() -> {
                if (aStopped[0] == 0 && !owned(a)) {
                  aStopped[0] = System.nanoTime();
                }
                return owned(b);
              });
          Duration takeover = Duration.ofNanos(System.nanoTime() - cut);
          System.err.printf("partition: a stepped down after %d ms, b owns the target after %d ms"
              + " (bound 2 × interval + connectTimeout = %d ms)%n",
              (aStopped[0] - cut) / 1_000_000, takeover.toMillis(), INTERVAL.multipliedBy(2).plus(CONNECT).toMillis());
          assertThat(aStopped[0]).as("a stepped down before b took the target").isNotZero();
          assertThat(owned(a)).isFalse();
          assertThat(takeover).isLessThanOrEqualTo(INTERVAL.multipliedBy(2).plus(CONNECT).plus(SLACK));
        }
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static boolean owned(RunningDaemon d) {
    return d.targets().find("app").orElseThrow().monitor().status().owned();
  }
}
