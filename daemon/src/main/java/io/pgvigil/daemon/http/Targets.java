package io.pgvigil.daemon.http;

import io.pgvigil.daemon.drift.DriftState;
import io.pgvigil.daemon.locks.LockState;
import io.pgvigil.daemon.replication.ReplicationState;
import io.pgvigil.daemon.watch.TargetMonitor;
import io.pgvigil.daemon.watch.TargetStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The watched targets as the API reads them: the configured ones, and those a server-level target discovers,
 * which come and go while the daemon runs (hence guarded by this; listed in the order they came).
 */
public final class Targets {

  /** One target: its monitor and what its checks saw last (drift only with migrations). */
  public record Target(TargetMonitor monitor, LockState locks, ReplicationState replication,
      Optional<DriftState> drift) {

    public String name() {
      return monitor.name();
    }
  }

  private final Map<String, Target> byName = new LinkedHashMap<>();
  private final Function<String, Optional<String>> owners;

  /** @param owners the instance that owns a target now, as the cluster knows it */
  public Targets(List<Target> all, Function<String, Optional<String>> owners) {
    all.forEach(this::add);
    this.owners = owners;
  }

  public synchronized List<Target> all() {
    return List.copyOf(byName.values());
  }

  public Function<String, Optional<String>> owners() {
    return owners;
  }

  /** A discovered target joins; false when the name is taken already. */
  public synchronized boolean add(Target target) {
    return byName.putIfAbsent(target.name(), target) == null;
  }

  /** A discovered target leaves (its database went away). */
  public synchronized Optional<Target> remove(String name) {
    return Optional.ofNullable(byName.remove(name));
  }

  public List<TargetStatus> statuses() {
    return all().stream().map(t -> t.monitor().status()).toList();
  }

  public synchronized Optional<Target> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Ready once every target has had its first heartbeat, whatever it answered. */
  public boolean ready() {
    List<Target> all = all();
    return !all.isEmpty() && all.stream().allMatch(t -> t.monitor().status().polled());
  }
}
