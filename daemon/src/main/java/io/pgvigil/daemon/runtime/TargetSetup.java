package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.drift.DriftState;
import io.pgvigil.daemon.locks.LockState;
import io.pgvigil.daemon.replication.ReplicationState;
import io.pgvigil.daemon.killswitch.KillSwitch;
import java.util.List;
import java.util.Optional;

/**
 * One target to watch: where it is, which checks run against it besides the
 * heartbeat, the drift verdict its drift check keeps (when it has migrations
 * configured) and what its lock watch saw last.
 */
public record TargetSetup(TargetSpec spec, List<TargetCheck> checks, Optional<DriftState> drift,
    LockState locks, ReplicationState replication, Optional<KillSwitch> killSwitch) {

  public TargetSetup {
    checks = List.copyOf(checks);
  }

  public TargetSetup(TargetSpec spec, List<TargetCheck> checks, Optional<DriftState> drift,
      LockState locks, ReplicationState replication) {
    this(spec, checks, drift, locks, replication, Optional.empty());
  }
}
