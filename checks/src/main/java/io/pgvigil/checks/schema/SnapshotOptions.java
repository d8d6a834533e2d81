package io.pgvigil.checks.schema;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a snapshot takes in.
 *
 * @param comments         also compare {@code COMMENT ON} texts (off by default: cosmetic)
 * @param grants           also compare privileges granted to roles other than the owner (off by
 *                         default: the shadow database rarely has the live roles)
 * @param ignored          objects to leave out, with everything they own; see {@link IgnorePattern}
 * @param excludedTables   tables left out with their columns, indexes, constraints, triggers and
 *                         owned sequences, qualified and unquoted: the migration tool's history
 *                         table, e.g. {@code public.flyway_schema_history}
 * @param statementTimeout {@code statement_timeout} for every query of the snapshot
 * @param parallelism      connections one snapshot of a {@code Pool} uses at most, 1 to 3 (see
 *                         {@link CatalogSnapshotter})
 */
public record SnapshotOptions(boolean comments, boolean grants, Predicate<ObjectRef> ignored,
    Set<String> excludedTables, Duration statementTimeout, int parallelism) {

  /** The most connections one snapshot uses: the three heavy areas each on their own. */
  public static final int MAX_PARALLELISM = 3;

  public SnapshotOptions {
    Objects.requireNonNull(ignored, "ignored");
    excludedTables = Set.copyOf(excludedTables);
    if (statementTimeout.isNegative() || statementTimeout.isZero()) {
      throw new IllegalArgumentException("statementTimeout was " + statementTimeout + " but must be > 0");
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException("parallelism was " + parallelism + " but must be 1 to " + MAX_PARALLELISM);
    }
  }

  /** No comments, no grants, nothing ignored or excluded, a 30 s statement timeout, 3 connections. */
  public static SnapshotOptions defaults() {
    return new SnapshotOptions(false, false, ref -> false, Set.of(), Duration.ofSeconds(30), MAX_PARALLELISM);
  }

  public SnapshotOptions withIgnored(Predicate<ObjectRef> value) {
    return new SnapshotOptions(comments, grants, value, excludedTables, statementTimeout, parallelism);
  }

  public SnapshotOptions withExcludedTables(Set<String> value) {
    return new SnapshotOptions(comments, grants, ignored, value, statementTimeout, parallelism);
  }

  public SnapshotOptions withParallelism(int value) {
    return new SnapshotOptions(comments, grants, ignored, excludedTables, statementTimeout, value);
  }
}
