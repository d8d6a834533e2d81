package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.drift.DriftState;
import java.util.List;
import java.util.Optional;

/**
 * One target to watch: where it is, which checks run against it besides the
 * heartbeat, and the drift verdict its history check keeps (when it has
 * migrations configured).
 */
public record TargetSetup(TargetSpec spec, List<TargetCheck> checks, Optional<DriftState> drift) {

  public TargetSetup {
    checks = List.copyOf(checks);
  }
}
