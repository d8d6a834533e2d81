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
 */
public record SnapshotOptions(
    boolean comments,
    boolean grants,
    Predicate<ObjectRef> ignored,
    Set<String> excludedTables,
    Duration statementTimeout) {

  public SnapshotOptions {
    Objects.requireNonNull(ignored, "ignored");
    excludedTables = Set.copyOf(excludedTables);
    if (statementTimeout.isNegative() || statementTimeout.isZero()) {
      throw new IllegalArgumentException("statementTimeout was " + statementTimeout + " but must be > 0");
    }
  }

  /** No comments, no grants, nothing ignored or excluded, a 30 s statement timeout. */
  public static SnapshotOptions defaults() {
    return new SnapshotOptions(false, false, ref -> false, Set.of(), Duration.ofSeconds(30));
  }

  public SnapshotOptions withComments(boolean value) {
    return new SnapshotOptions(value, grants, ignored, excludedTables, statementTimeout);
  }

  public SnapshotOptions withGrants(boolean value) {
    return new SnapshotOptions(comments, value, ignored, excludedTables, statementTimeout);
  }

  public SnapshotOptions withIgnored(Predicate<ObjectRef> value) {
    return new SnapshotOptions(comments, grants, value, excludedTables, statementTimeout);
  }

  public SnapshotOptions withExcludedTables(Set<String> value) {
    return new SnapshotOptions(comments, grants, ignored, value, statementTimeout);
  }

  public SnapshotOptions withStatementTimeout(Duration value) {
    return new SnapshotOptions(comments, grants, ignored, excludedTables, value);
  }
}
