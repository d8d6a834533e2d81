package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Levels of one rule in its {@link Unit}; a breach must last {@code sustainedFor} (YAML {@code for}) to fire. */
public record Threshold(Optional<Double> warn, Optional<Double> abort, Duration sustainedFor) {

  public Threshold {
    Objects.requireNonNull(warn, "warn");
    Objects.requireNonNull(abort, "abort");
    Objects.requireNonNull(sustainedFor, "sustainedFor");
    if (warn.isEmpty() && abort.isEmpty()) {
      throw new IllegalArgumentException("a threshold needs warn, abort or both");
    }
  }

  /** Outside windows by default: warn where this warns, or at its abort level; never abort. */
  public Threshold withoutAbort() {
    return new Threshold(warn.or(() -> abort), Optional.empty(), sustainedFor);
  }
}
