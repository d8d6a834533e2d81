package io.pgvigil.daemon.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The monitor pushes up/down to a listener; a listener that fails must not stop the target's watch. */
class TargetMonitorIT {

  private static OwnedTestPostgres pg;

  @BeforeAll
  static void startServer() throws Exception {
    pg = TestServers.start("monitor");
  }

  @AfterAll
  static void stopServer() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void aFailingUpDownListenerDoesNotStopTheChecks() throws Exception {
    AtomicInteger told = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    TargetCheck counting = new TargetCheck("counting", () -> Duration.ofMillis(100), Duration.ofSeconds(5)) {
      @Override
      public Future<Void> run(Context context) {
        runs.incrementAndGet();
        return Future.succeededFuture();
      }
    };
    Duration interval = Duration.ofMillis(100);
    TargetSpec spec = new TargetSpec("app", "postgresql://app", TargetSpecs.connectOptions(DatabaseUrl.parse(pg.uri()),
        Duration.ofSeconds(5)), Duration.ofSeconds(5), interval, Duration.ofSeconds(5), Duration.ofSeconds(1));
    TargetMonitor monitor = new TargetMonitor(spec, List.of(counting), v -> Future.succeededFuture(),
        new SimpleMeterRegistry(), Clock.systemUTC(), (target, up, since) -> {
          told.incrementAndGet();
          throw new IllegalStateException("the listener is broken");
        }, new Ownership(spec, "test", Duration.ofSeconds(10)), Owners.alone(1, Clock.systemUTC()),
        (target, owned) -> {});
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(monitor).await(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(15)).until(() -> monitor.status().up() && runs.get() >= 3);
      assertThat(told.get()).isEqualTo(1);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void anOwnerWhoseMonitoringConnectionWedgesGoesDownAndReleasesTheLock() throws Exception {
    // A check that takes the target's one monitoring connection and never gives it back: the checks
    // and the heartbeat's probe wait for it, while the lock session still answers.
    AtomicBoolean wedge = new AtomicBoolean();
    TargetCheck wedging = new TargetCheck("wedging", () -> Duration.ofMillis(100), Duration.ofSeconds(1)) {
      @Override
      public Future<Void> run(Context context) {
        if (!wedge.compareAndSet(true, false)) {
          return Future.succeededFuture();
        }
        return context.pool().withConnection(c -> Promise.<Void>promise().future());
      }
    };
    Duration connectTimeout = Duration.ofSeconds(1);
    TargetSpec spec = new TargetSpec("app", "postgresql://app", TargetSpecs.connectOptions(DatabaseUrl.parse(pg.uri()),
        Duration.ofSeconds(1)), connectTimeout, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(1));
    List<Boolean> upDown = new CopyOnWriteArrayList<>();
    Ownership ownership = new Ownership(spec, "test", Duration.ofMillis(200).plus(connectTimeout));
    TargetMonitor monitor = new TargetMonitor(spec, List.of(wedging), v -> Future.succeededFuture(),
        new SimpleMeterRegistry(), Clock.systemUTC(), (target, up, since) -> upDown.add(up), ownership,
        Owners.alone(1, Clock.systemUTC()), (target, owned) -> {});
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(monitor).await(30, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(15)).until(() -> monitor.status().up() && ownership.owned()
          && heldLocks(ownership) == 1);
      wedge.set(true);
      await().atMost(Duration.ofSeconds(15)).until(() -> !monitor.status().up());
      assertThat(upDown).containsExactly(true, false);
      // Given up on the server too, so that another instance can take the target over.
      await().atMost(Duration.ofSeconds(5)).until(() -> !ownership.owned() && heldLocks(ownership) == 0);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
          .until(() -> !monitor.status().up() && heldLocks(ownership) == 0);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** How many sessions hold the target's advisory lock. */
  private static int heldLocks(Ownership ownership) throws Exception {
    return Integer.parseInt(Sql.query(pg, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        + " AND classid = " + Integer.toUnsignedLong(Ownership.NAMESPACE)
        + " AND objid = " + Integer.toUnsignedLong(ownership.key()) + " AND granted"));
  }
}
