package io.pgvigil.daemon.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.testing.TcpProxy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The owner's lock session, as PostgreSQL sees it, when the network between them misbehaves. */
@ExtendWith(PostgresExtension.class)
class OwnershipLockIT {

  private static final String HOLDERS = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
      + " AND classid = " + (Ownership.NAMESPACE & 0xffffffffL) + " AND objid = "
      + (Ownership.key("test", "app") & 0xffffffffL) + " AND objsubid = 2 AND granted";

  /**
   * Cut off without a socket closed, the owner counts itself the owner until a lease after its last
   * answered query less a margin; the server keeps the lock for a lease after it. So the owner steps
   * down first, and the lock is free a lease later.
   */
  @Test
  void aSilentOwnerStepsDownBeforeTheServerFreesItsLock(TestPostgres pg) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = TcpProxy.start(vertx, pg.host(), pg.port())) {
      String url = pg.uri().replace("@" + pg.host() + ":" + pg.port() + "/", "@127.0.0.1:" + proxy.port() + "/");
      Duration lease = Duration.ofSeconds(2);
      TargetSpec spec = new TargetSpec("app", "postgresql://app",
          TargetSpecs.connectOptions(DatabaseUrl.parse(url), Duration.ofMillis(900)), Duration.ofSeconds(1),
          Duration.ofSeconds(1), Duration.ofMillis(900), Duration.ofSeconds(1));
      Ownership ownership = new Ownership(spec, "test", lease);
      Context context = vertx.getOrCreateContext();
      long asked = System.nanoTime();
      assertThat(on(context, () -> ownership.step(vertx, Owners.alone(1, Clock.systemUTC())))
          .await(15, TimeUnit.SECONDS)).isTrue();
      proxy.blackhole();
      long[] steppedDown = {0};
      await().atMost(lease.plusSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> {
        if (steppedDown[0] == 0 && !ownership.owned()) {
          steppedDown[0] = System.nanoTime();
        }
        return holders(pg) == 0;
      });
      long freed = System.nanoTime();
      System.err.printf(
          "owner stepped down %d ms, server freed the lock %d ms after the lock was taken (lease %d ms)%n",
          (steppedDown[0] - asked) / 1_000_000, (freed - asked) / 1_000_000, lease.toMillis());
      assertThat(steppedDown[0]).as("the owner stepped down before the lock was free").isNotZero();
      assertThat(Duration.ofNanos(freed - asked)).isGreaterThanOrEqualTo(lease)
          .isLessThan(lease.plusSeconds(2));
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * A release (the monitor stops: a graceful shutdown hands the target over at once) while a
   * heartbeat is still taking the lock leaves no session holding it, not even once that take goes on.
   */
  @Test
  void releaseDuringATakeLeavesNoSessionHoldingTheLock(TestPostgres pg) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = TcpProxy.start(vertx, pg.host(), pg.port())) {
      String url = pg.uri().replace("@" + pg.host() + ":" + pg.port() + "/", "@127.0.0.1:" + proxy.port() + "/");
      // Long timeouts: the take that is held up must still be under way when the lock is released.
      TargetSpec spec = new TargetSpec("app", "postgresql://app",
          TargetSpecs.connectOptions(DatabaseUrl.parse(url), Duration.ofSeconds(5)), Duration.ofSeconds(10),
          Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(1));
      Ownership ownership = new Ownership(spec, "test", Duration.ofSeconds(30));
      Owners owners = Owners.alone(1, Clock.systemUTC());
      Context context = vertx.getOrCreateContext();
      assertThat(on(context, () -> ownership.step(vertx, owners)).await(15, TimeUnit.SECONDS)).isTrue();
      assertThat(holders(pg)).isEqualTo(1);

      // The lock's session ends; the next step connects again to take the lock, and that
      // connection is held up in the network.
      proxy.holdNew();
      try (Connection c = pg.connect()) {
        c.createStatement().execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            + " AND classid = " + (Ownership.NAMESPACE & 0xffffffffL) + " AND granted");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !ownership.owned());
      on(context, () -> {
        ownership.step(vertx, owners);
        return Future.succeededFuture();
      });
      await().atMost(Duration.ofSeconds(10)).until(() -> proxy.holding() >= 1);

      CompletableFuture<Future<Void>> releasing = new CompletableFuture<>();
      context.runOnContext(v -> releasing.complete(ownership.release()));
      Future<Void> released = releasing.get(10, TimeUnit.SECONDS);
      proxy.flush(); // the take goes on after the release began
      released.await(15, TimeUnit.SECONDS);
      assertThat(holders(pg)).isZero();
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> holders(pg) == 0);
      assertThat(ownership.owned()).isFalse();
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * An instance at its share takes a free target only if it is still free a step later, unless the
   * target's owner is gone: then it is a takeover, taken at the first step.
   */
  @Test
  void atItsShareAnInstanceWaitsAStepUnlessTheOwnerIsGone(TestPostgres pg) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      TargetSpec spec = new TargetSpec("app", "postgresql://app",
          TargetSpecs.connectOptions(DatabaseUrl.parse(pg.uri()), Duration.ofSeconds(5)), Duration.ofSeconds(1),
          Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(1));
      Context context = vertx.getOrCreateContext();
      boolean[] vacated = {false};
      // Two targets, two instances: a share of one, and this instance already owns the other target.
      Owners owners = new Owners(2, () -> 2, t -> false, t -> vacated[0], Clock.systemUTC());
      owners.set("other", true);

      Ownership waiting = new Ownership(spec, "test", Duration.ofSeconds(10));
      assertThat(on(context, () -> waiting.step(vertx, owners)).await(15, TimeUnit.SECONDS)).isFalse();
      assertThat(holders(pg)).isZero();
      assertThat(on(context, () -> waiting.step(vertx, owners)).await(15, TimeUnit.SECONDS)).isTrue();
      on(context, waiting::release).await(15, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> holders(pg) == 0);

      vacated[0] = true;
      Ownership takeover = new Ownership(spec, "test", Duration.ofSeconds(10));
      assertThat(on(context, () -> takeover.step(vertx, owners)).await(15, TimeUnit.SECONDS)).isTrue();
      assertThat(holders(pg)).isEqualTo(1);
      on(context, takeover::release).await(15, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * A server slow to start sessions gets one lock session at a time from a target, however many
   * steps time out meanwhile, and the one it serves at last is used.
   */
  @Test
  void stepsThatTimeOutWaitForTheSessionBeingOpenedNotAnotherOne(TestPostgres pg) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TcpProxy proxy = TcpProxy.start(vertx, pg.host(), pg.port())) {
      String url = pg.uri().replace("@" + pg.host() + ":" + pg.port() + "/", "@127.0.0.1:" + proxy.port() + "/");
      // A take times out after connectTimeout + queryTimeout: 500 ms.
      TargetSpec spec = new TargetSpec("app", "postgresql://app",
          TargetSpecs.connectOptions(DatabaseUrl.parse(url), Duration.ofMillis(200)), Duration.ofMillis(300),
          Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(1));
      Ownership ownership = new Ownership(spec, "test", Duration.ofSeconds(30));
      Owners owners = Owners.alone(1, Clock.systemUTC());
      Context context = vertx.getOrCreateContext();
      proxy.holdNew();
      for (int step = 0; step < 4; step++) {
        assertThat(on(context, () -> ownership.step(vertx, owners)).await(5, TimeUnit.SECONDS)).isFalse();
      }
      assertThat(proxy.holding()).isEqualTo(1);

      proxy.flush();
      await().atMost(Duration.ofSeconds(10))
          .until(() -> on(context, () -> ownership.step(vertx, owners)).await(5, TimeUnit.SECONDS));
      assertThat(holders(pg)).isEqualTo(1);
      on(context, ownership::release).await(15, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static <T> Future<T> on(Context context, Supplier<Future<T>> action) {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> action.get().onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(ar.result());
      } else {
        done.completeExceptionally(ar.cause());
      }
    }));
    return Future.fromCompletionStage(done);
  }

  private static int holders(TestPostgres pg) throws Exception {
    try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery(HOLDERS)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
