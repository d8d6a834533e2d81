package io.pgvigil.daemon.config;

import io.pgvigil.checks.schema.IgnorePattern;
import java.time.Duration;
import java.util.List;

/** How often the live schema is compared with the migrations, and which objects ({@code kind:glob}) to ignore. */
public record DriftConfig(Duration interval, List<IgnorePattern> ignore) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  public static final DriftConfig DEFAULT = new DriftConfig(DEFAULT_INTERVAL, List.of());
}
