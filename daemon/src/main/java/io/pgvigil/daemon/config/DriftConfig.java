package io.pgvigil.daemon.config;

import io.pgvigil.checks.schema.ComparedKind;
import io.pgvigil.checks.schema.IgnorePattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How often the live schema is compared with the migrations, which objects ({@code kind:glob}) to ignore, what is
 * compared beyond the structure ({@code compare}: comments and statistics by default; grants, owners and default
 * privileges when listed), and the shadow's role names as live names them ({@code roleMap}).
 */
public record DriftConfig(Duration interval, List<IgnorePattern> ignore, Set<ComparedKind> compare,
    Map<String, String> roleMap) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
  public static final DriftConfig DEFAULT =
      new DriftConfig(DEFAULT_INTERVAL, List.of(), ComparedKind.defaults(), Map.of());

  public DriftConfig {
    ignore = List.copyOf(ignore);
    compare = Set.copyOf(compare);
    roleMap = Map.copyOf(roleMap);
  }

  /** The interval and ignore patterns; everything else as by default. */
  public DriftConfig(Duration interval, List<IgnorePattern> ignore) {
    this(interval, ignore, ComparedKind.defaults(), Map.of());
  }
}
