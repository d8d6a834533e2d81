package io.pgvigil.alerts;

import io.pgvigil.alerts.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Vert.x, a web client, a test clock and a listener that records every delivery event. */
class Fixture implements AutoCloseable {

  final Vertx vertx = Vertx.vertx();
  final WebClient client = WebClient.create(vertx);
  final MutableClock clock = MutableClock.at("2025-03-01T12:00:00Z");
  final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
  final DeliveryListener listener = events::add;

  DeliveryQueue queue(Path spoolDir, int maxPerSink, Sink... sinks) throws Exception {
    DeliveryQueue q = new DeliveryQueue(vertx, clock, new Spool(spoolDir, maxPerSink),
        List.of(sinks), Backoff.standard(new Random(42)), listener);
    await(q.start(Duration.ofMillis(10)));
    return q;
  }

  long count(DeliveryResult result) {
    return events.stream().filter(e -> e.result() == result).count();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Route routeAll(String sink) {
    return new Route(sink, Set.of(), Set.of());
  }

  static Alert lockAlert(String target, String object, Severity severity, Instant at) {
    return Alert.firing(target, "lockWait", object, severity,
        "ALTER TABLE on " + object + " waits for a lock", "7.2s", "5s",
        List.of(new Blocker(4242, "app_rw", "idle in transaction", 185, null),
            new Blocker(4243, "report", "active", 12, null)),
        Map.of("lockMode", "AccessExclusiveLock"), at);
  }

  @Override
  public void close() throws Exception {
    client.close();
    await(vertx.close());
  }
}
