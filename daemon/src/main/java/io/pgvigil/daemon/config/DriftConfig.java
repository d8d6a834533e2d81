package io.pgvigil.daemon.config;

import io.pgvigil.checks.schema.IgnorePattern;
import java.time.Duration;
import java.util.List;

/**
 * How often the live schema is compared with the migrations, and which objects to ignore
 * ({@code kind:glob}, e.g. {@code table:public.tmp_*}: the patterns the catalog snapshot
 * itself understands).
 */
public record DriftConfig(Duration interval, List<IgnorePattern> ignore) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  public static final DriftConfig DEFAULT = new DriftConfig(DEFAULT_INTERVAL, List.of());

  public DriftConfig {
    ignore = List.copyOf(ignore);
  }
}
