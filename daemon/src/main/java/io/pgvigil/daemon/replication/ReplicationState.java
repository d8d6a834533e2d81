package io.pgvigil.daemon.replication;

import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_LAG;
import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_LAG_BYTES;
import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_SLOT_RETAINED;
import static io.pgvigil.daemon.metrics.MeterNames.REPLICATION_STANDBY_UP;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_CONFIGURED;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_KIND;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_REPLICA;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_SENDER;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_SLOT;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.replication.ReplicaLag;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.checks.replication.ReplicationSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The last replication report of one target and its gauges. Every WAL sender's
 * series say what it is: {@code kind} (on {@code pgvigil_replication_lag_seconds},
 * {@code sender}, since its {@code kind} is the lag kind) {@code physical} or
 * {@code logical}, and {@code configured} {@code true} for a configured replica.
 * A configured replica keeps its series once seen: gone, it reads
 * {@code pgvigil_replication_standby_up 0} and NaN lag (unknown), never 0 lag.
 * Any other sender's series go when it leaves (a finished {@code pg_basebackup},
 * a dropped subscriber: nothing to page about). A slot that was dropped reads NaN.
 */
public final class ReplicationState {

  /** The lag kinds, the {@code kind} label of {@code pgvigil_replication_lag_seconds}. */
  private static final List<String> KINDS = List.of("write", "flush", "replay", "replay_delay");

  private final String target;
  private final MeterRegistry registry;
  private final Map<String, ReplicaLag> replicas = new ConcurrentHashMap<>();
  private final Map<String, Series> series = new ConcurrentHashMap<>();
  private final Map<String, ReplicationSlot> slots = new ConcurrentHashMap<>();
  private final ReplicaConnections connections;
  private volatile ReplicationReport last;

  public ReplicationState(String target, MeterRegistry registry) {
    this.target = target;
    this.registry = registry;
    this.connections = new ReplicaConnections(target);
  }

  /** Whether each configured replica answers pgvigil on its own URL, and why not. */
  public ReplicaConnections connections() {
    return connections;
  }

  void update(ReplicationReport report) {
    last = report;
    for (ReplicaLag lag : report.replicas()) {
      updateSender(lag);
    }
    // The report lists every configured replica, gone or not: a sender missing from it left and was none.
    Set<String> listed = report.replicas().stream().map(ReplicaLag::name).collect(Collectors.toSet());
    for (String name : List.copyOf(series.keySet())) {
      if (!listed.contains(name)) {
        drop(name);
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

  private void updateSender(ReplicaLag lag) {
    String name = lag.name();
    Series registered = series.get(name);
    replicas.put(name, lag);
    // A gone sender says nothing about its kind: it keeps the series it had.
    if (registered != null && (lag.gone() || registered.matches(lag))) {
      return;
    }
    if (registered != null) {
      registered.meters().forEach(registry::remove);
    }
    series.put(name, register(lag));
  }

  private void drop(String name) {
    replicas.remove(name);
    Series registered = series.remove(name);
    if (registered != null) {
      registered.meters().forEach(registry::remove);
    }
  }

  private Series register(ReplicaLag lag) {
    String replica = lag.name();
    String sender = lag.logical() ? "logical" : "physical";
    String configured = Boolean.toString(lag.configured());
    List<Meter> meters = new ArrayList<>();
    for (String kind : KINDS) {
      meters.add(Gauge.builder(REPLICATION_LAG, this, s -> s.seconds(replica, kind))
          .description("Replication lag of a WAL sender: write, flush, replay (pg_stat_replication) and "
              + "replay_delay (how far behind it is now: the age of the oldest WAL it has not replayed; "
              + "0 when caught up)")
          .baseUnit("seconds")
          .tags(TAG_TARGET, target, TAG_REPLICA, replica, TAG_KIND, kind, TAG_SENDER, sender,
              TAG_CONFIGURED, configured)
          .register(registry));
    }
    meters.add(Gauge.builder(REPLICATION_LAG_BYTES, this, s -> s.bytes(replica))
        .description("WAL the primary has written that the standby has not replayed yet")
        .baseUnit("bytes")
        .tags(TAG_TARGET, target, TAG_REPLICA, replica, TAG_KIND, sender, TAG_CONFIGURED, configured)
        .register(registry));
    meters.add(Gauge.builder(REPLICATION_STANDBY_UP, this, s -> s.up(replica))
        .description("1 while the WAL sender is connected to the primary, 0 when a configured replica is gone")
        .tags(TAG_TARGET, target, TAG_REPLICA, replica, TAG_KIND, sender, TAG_CONFIGURED, configured)
        .register(registry));
    return new Series(lag.logical(), lag.configured(), meters);
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

  /** The series registered for one sender, and the labels they carry. */
  private record Series(boolean logical, boolean configured, List<Meter> meters) {
    boolean matches(ReplicaLag lag) {
      return lag.logical() == logical && lag.configured() == configured;
    }
  }
}
