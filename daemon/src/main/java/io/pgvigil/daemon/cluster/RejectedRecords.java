package io.pgvigil.daemon.cluster;

import static io.pgvigil.daemon.metrics.MeterNames.CLUSTER_REJECTED_RECORDS;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_MAP;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of one shared map that were dropped: counted, and logged at most once a minute, since a peer with
 * another secret (or someone probing the port) would otherwise fill the log with a line per record.
 */
final class RejectedRecords {

  private static final Logger LOG = LoggerFactory.getLogger(SharedMap.class);
  private static final Duration LOGGED = Duration.ofMinutes(1);

  private final String map;
  private final Clock clock;
  private final boolean authenticated;
  private final Counter counter;
  private final AtomicLong logged = new AtomicLong(Long.MIN_VALUE);

  RejectedRecords(String map, Clock clock, boolean authenticated, MeterRegistry registry) {
    this.map = map;
    this.clock = clock;
    this.authenticated = authenticated;
    this.counter = Counter.builder(CLUSTER_REJECTED_RECORDS)
        .description("Shared records dropped because their MAC was missing or wrong, or they were malformed")
        .tag(TAG_MAP, map).register(registry);
  }

  void reject(String key, String from) {
    counter.increment();
    long now = clock.millis();
    long last = logged.get();
    if ((last == Long.MIN_VALUE || now - last >= LOGGED.toMillis()) && logged.compareAndSet(last, now)) {
      LOG.warn("shared {}: dropped a record of {} from {}: {} ({} dropped since start; logged at most once a minute)",
          map, key, from, authenticated
              ? "its MAC is missing or wrong (is server.cluster.secret the same on every instance?)"
              : "it is malformed",
          (long) counter.count());
    }
  }
}
