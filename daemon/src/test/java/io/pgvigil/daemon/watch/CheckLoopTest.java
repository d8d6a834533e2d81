package io.pgvigil.daemon.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A run asked for while one is under way is a fresh run after it, shared by every request made meanwhile. */
class CheckLoopTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void requestsDuringARunGetOneFreshRunAfterIt() throws Exception {
    List<Promise<Void>> runs = new CopyOnWriteArrayList<>();
    var context = vertx.getOrCreateContext();
    CheckLoop loop = new CheckLoop(vertx, "app", "drift", () -> {
      Promise<Void> run = Promise.promise();
      runs.add(run);
      return run.future();
    }, () -> Duration.ofHours(1), Duration.ofMinutes(1), () -> true, new SimpleMeterRegistry(), Clock.systemUTC());

    CompletableFuture<Future<Void>> first = new CompletableFuture<>();
    context.runOnContext(v -> first.complete(loop.runNow()));
    await().until(() -> runs.size() == 1);
    CompletableFuture<List<Future<Void>>> asked = new CompletableFuture<>();
    context.runOnContext(v -> asked.complete(List.of(loop.runNow(), loop.runNow())));
    List<Future<Void>> meanwhile = asked.get();

    context.runOnContext(v -> runs.get(0).complete());
    await().until(() -> first.get().isComplete());
    await().until(() -> runs.size() == 2);
    assertThat(meanwhile).noneMatch(Future::isComplete);

    context.runOnContext(v -> runs.get(1).complete());
    await().until(() -> meanwhile.stream().allMatch(Future::succeeded));
    assertThat(runs).hasSize(2);
    context.runOnContext(v -> loop.stop());
  }
}
