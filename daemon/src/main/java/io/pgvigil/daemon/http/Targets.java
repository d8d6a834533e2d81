package io.pgvigil.daemon.http;

import io.pgvigil.daemon.drift.DriftState;
import io.pgvigil.daemon.locks.LockState;
import io.pgvigil.daemon.replication.ReplicationState;
import io.pgvigil.daemon.watch.TargetMonitor;
import io.pgvigil.daemon.watch.TargetStatus;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The watched targets as the API reads them, built once by the daemon.
 *
 * @param owners the instance that owns a target now, as the cluster knows it
 */
public record Targets(List<Target> all, Function<String, Optional<String>> owners) {

  /** One target: its monitor and what its checks saw last (drift only with migrations). */
  public record Target(TargetMonitor monitor, LockState locks, ReplicationState replication,
      Optional<DriftState> drift) {

    public String name() {
      return monitor.name();
    }
  }

  public Targets {
    all = List.copyOf(all);
  }

  public List<TargetStatus> statuses() {
    return all.stream().map(t -> t.monitor().status()).toList();
  }

  public Optional<Target> find(String name) {
    return all.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** Ready once every target has had its first heartbeat, whatever it answered. */
  public boolean ready() {
    return !all.isEmpty() && all.stream().allMatch(t -> t.monitor().status().polled());
  }
}
