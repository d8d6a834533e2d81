package io.pgvigil.daemon.replication;

import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_LAG;
import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_LAG_BYTES;
import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_SLOT_RETAINED;
import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_STANDBY_UP;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_KIND;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_REPLICA;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_SLOT;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.replication.ReplicaLag;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.checks.replication.ReplicationSlot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last replication report of one target and its gauges. A replica or slot
 * gets its series when first seen and keeps them: a standby that is gone
 * reads {@code pgvigil_replication_standby_up 0} and NaN lag (unknown), never
 * 0 lag; a slot that was dropped reads NaN.
 */
public final class ReplicationState {

  /** The lag kinds, the {@code kind} label of {@code pgvigil_replication_lag_seconds}. */
  private static final List<String> KINDS = List.of("write", "flush", "replay", "replay_delay");

  private final String target;
  private final MeterRegistry registry;
  private final Map<String, ReplicaLag> replicas = new ConcurrentHashMap<>();
  private final Map<String, ReplicationSlot> slots = new ConcurrentHashMap<>();
  private volatile ReplicationReport last;

  public ReplicationState(String target, MeterRegistry registry) {
    this.target = target;
    this.registry = registry;
  }

  void update(ReplicationReport report) {
    last = report;
    for (ReplicaLag lag : report.replicas()) {
      if (replicas.put(lag.name(), lag) == null) {
        register(lag.name());
      }
    }
    for (ReplicationSlot slot : report.slots()) {
      if (slots.put(slot.name(), slot) == null) {
        Gauge.builder(REPLICATION_SLOT_RETAINED, this, s -> s.retained(slot.name()))
            .description("WAL a replication slot keeps on the primary (from its restart_lsn)")
            .baseUnit("bytes")
            .tags(TAG_TARGET, target, TAG_SLOT, slot.name())
            .register(registry);
      }
    }
    slots.keySet().retainAll(report.slots().stream().map(ReplicationSlot::name).toList());
  }

  private void register(String replica) {
    for (String kind : KINDS) {
      Gauge.builder(REPLICATION_LAG, this, s -> s.seconds(replica, kind))
          .description("Replication lag of a standby: write, flush, replay (from the primary) and "
              + "replay_delay (from the replica, 0 when it has replayed all it received)")
          .baseUnit("seconds")
          .tags(TAG_TARGET, target, TAG_REPLICA, replica, TAG_KIND, kind)
          .register(registry);
    }
    Gauge.builder(REPLICATION_LAG_BYTES, this, s -> s.bytes(replica))
        .description("WAL the primary has written that the standby has not replayed yet")
        .baseUnit("bytes")
        .tags(TAG_TARGET, target, TAG_REPLICA, replica)
        .register(registry);
    Gauge.builder(REPLICATION_STANDBY_UP, this, s -> s.up(replica))
        .description("1 while the standby is connected to the primary, 0 when it is gone")
        .tags(TAG_TARGET, target, TAG_REPLICA, replica)
        .register(registry);
  }

  private double seconds(String replica, String kind) {
    ReplicaLag lag = replicas.get(replica);
    if (lag == null || lag.gone()) {
      return Double.NaN;
    }
    Double value = switch (kind) {
      case "write" -> lag.writeLagSeconds();
      case "flush" -> lag.flushLagSeconds();
      case "replay" -> lag.replayLagSeconds();
      default -> lag.replayDelaySeconds();
    };
    return value == null ? Double.NaN : value;
  }

  private double bytes(String replica) {
    ReplicaLag lag = replicas.get(replica);
    if (lag == null || lag.gone()) {
      return Double.NaN;
    }
    Long value = lag.replayLagBytes() != null ? lag.replayLagBytes() : lag.replayGapBytes();
    return value == null ? Double.NaN : value;
  }

  private double up(String replica) {
    ReplicaLag lag = replicas.get(replica);
    return lag == null ? Double.NaN : lag.gone() ? 0 : 1;
  }

  private double retained(String slot) {
    ReplicationSlot s = slots.get(slot);
    return s == null || s.retainedBytes() == null ? Double.NaN : s.retainedBytes();
  }

  public Optional<ReplicationReport> last() {
    return Optional.ofNullable(last);
  }
}
