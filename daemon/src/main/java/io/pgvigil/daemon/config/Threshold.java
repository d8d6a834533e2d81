package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Optional;

/** Levels of one rule in its {@link Unit}; a breach must last {@code sustainedFor} (YAML {@code for}) to fire. */
public record Threshold(Optional<Double> warn, Optional<Double> abort, Duration sustainedFor) {

  /** Outside windows by default: warn where this warns, or at its abort level; never abort. */
  public Threshold withoutAbort() {
    return new Threshold(warn.or(() -> abort), Optional.empty(), sustainedFor);
  }
}
