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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The last replication report of one target and its gauges. Every WAL sender's series say what it is: {@code kind}
 * (on {@code pgvigil_replication_lag_seconds}, {@code sender}, since its {@code kind} is the lag kind)
 * {@code physical} or {@code logical}, and {@code configured} {@code true} for a configured replica. A configured
 * replica keeps its series once seen: gone, it reads {@code pgvigil_replication_standby_up 0} and NaN lag (unknown),
 * never 0 lag. Any other sender's series go when it leaves (a finished {@code pg_basebackup}, a dropped subscriber:
 * nothing to page about). A slot that was dropped reads NaN.
 */
public final class ReplicationState {

  /** The lag kinds: lower case, the {@code kind} label of {@code pgvigil_replication_lag_seconds}. */
  private enum Kind {
    WRITE(ReplicaLag::writeLagSeconds), FLUSH(ReplicaLag::flushLagSeconds), REPLAY(ReplicaLag::replayLagSeconds),
    REPLAY_DELAY(ReplicaLag::replayDelaySeconds);

    final Function<ReplicaLag, Number> value;

    Kind(Function<ReplicaLag, Number> value) {
      this.value = value;
    }
  }

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

  public ReplicaConnections connections() {
    return connections;
  }

  void update(ReplicationReport report) {
    last = report;
    report.replicas().forEach(this::updateSender);
    // The report lists every configured replica, gone or not: a sender missing from it left and was none.
    Set<String> listed = report.replicas().stream().map(ReplicaLag::name).collect(Collectors.toSet());
    series.keySet().stream().filter(name -> !listed.contains(name)).toList().forEach(this::drop);
    for (ReplicationSlot slot : report.slots()) {
      if (slots.put(slot.name(), slot) == null) {
        gauge(REPLICATION_SLOT_RETAINED, "WAL a replication slot keeps on the primary (from its restart_lsn)", "bytes",
            s -> s.retained(slot.name()), TAG_SLOT, slot.name());
      }
    }
    slots.keySet().retainAll(report.slots().stream().map(ReplicationSlot::name).toList());
  }

  private void updateSender(ReplicaLag lag) {
    Series registered = series.get(lag.name());
    replicas.put(lag.name(), lag);
    // A gone sender says nothing about its kind: it keeps the series it had.
    if (registered == null || !lag.gone() && !registered.matches(lag)) {
      unregister(registered);
      series.put(lag.name(), register(lag));
    }
  }

  private void drop(String name) {
    replicas.remove(name);
    unregister(series.remove(name));
  }

  private void unregister(Series registered) {
    if (registered != null) {
      registered.meters().forEach(registry::remove);
    }
  }

  private Series register(ReplicaLag lag) {
    String replica = lag.name();
    String sender = lag.logical() ? "logical" : "physical";
    String configured = Boolean.toString(lag.configured());
    List<Meter> meters = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      meters.add(gauge(REPLICATION_LAG, "Replication lag of a WAL sender: write, flush, replay (pg_stat_replication)"
          + " and replay_delay (how far behind it is now: the age of the oldest WAL it has not replayed; 0 when"
          + " caught up)", "seconds", s -> s.live(replica, kind.value), TAG_REPLICA, replica,
          TAG_KIND, kind.name().toLowerCase(Locale.ROOT), TAG_SENDER, sender, TAG_CONFIGURED, configured));
    }
    Function<ReplicaLag, Number> bytes = l -> l.replayLagBytes() != null ? l.replayLagBytes() : l.replayGapBytes();
    meters.add(gauge(REPLICATION_LAG_BYTES, "WAL the primary has written that the standby has not replayed yet",
        "bytes", s -> s.live(replica, bytes), TAG_REPLICA, replica, TAG_KIND, sender, TAG_CONFIGURED, configured));
    meters.add(gauge(REPLICATION_STANDBY_UP,
        "1 while the WAL sender is connected to the primary, 0 when a configured replica is gone", null,
        s -> s.up(replica), TAG_REPLICA, replica, TAG_KIND, sender, TAG_CONFIGURED, configured));
    return new Series(lag.logical(), lag.configured(), meters);
  }

  private Gauge gauge(String name, String description, String unit, ToDoubleFunction<ReplicationState> value,
      String... tags) {
    return Gauge.builder(name, this, value).description(description).baseUnit(unit)
        .tags(TAG_TARGET, target).tags(tags).register(registry);
  }

  /** A lag of a sender that is there; NaN (unknown) when it is gone or the value is null. */
  private double live(String replica, Function<ReplicaLag, Number> value) {
    ReplicaLag lag = replicas.get(replica);
    Number number = lag == null || lag.gone() ? null : value.apply(lag);
    return number == null ? Double.NaN : number.doubleValue();
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
