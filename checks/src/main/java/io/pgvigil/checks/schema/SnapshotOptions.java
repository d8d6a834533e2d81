package io.pgvigil.checks.schema;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What a snapshot takes in.
 *
 * @param compared         what is compared beyond the structure ({@link ComparedKind}); by default comments and
 *                         statistics targets, not grants, owners or default privileges
 * @param roleMap          role names of this database → role names of the other one, applied to grantees, owners
 *                         and default privileges' roles as they are read: give it to the shadow's snapshot, as
 *                         {@code shadow role → live role}, so that grants compare across environments whose roles
 *                         are named differently
 * @param ignored          objects to leave out, with everything they own; see {@link IgnorePattern}
 * @param excludedTables   tables left out with their columns, indexes, constraints, triggers and
 *                         owned sequences, qualified and unquoted: the migration tool's history
 *                         table, e.g. {@code public.flyway_schema_history}
 * @param statementTimeout {@code statement_timeout} for every query of the snapshot
 * @param parallelism      connections one snapshot of a {@code Pool} uses at most, 1 to 3 (see
 *                         {@link CatalogSnapshotter})
 */
public record SnapshotOptions(Set<ComparedKind> compared, Map<String, String> roleMap, Predicate<ObjectRef> ignored,
    Set<String> excludedTables, Duration statementTimeout, int parallelism) {

  /** The most connections one snapshot uses: the three heavy areas each on their own. */
  public static final int MAX_PARALLELISM = 3;

  public SnapshotOptions {
    compared = compared.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(compared));
    roleMap = Map.copyOf(roleMap);
    Objects.requireNonNull(ignored, "ignored");
    excludedTables = Set.copyOf(excludedTables);
    if (statementTimeout.isNegative() || statementTimeout.isZero()) {
      throw new IllegalArgumentException("statementTimeout was " + statementTimeout + " but must be > 0");
    }
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException("parallelism was " + parallelism + " but must be 1 to " + MAX_PARALLELISM);
    }
  }

  /**
   * Comments and statistics targets, no grants, owners or default privileges, no role map, nothing ignored or
   * excluded, a 30 s statement timeout, 3 connections.
   */
  public static SnapshotOptions defaults() {
    return new SnapshotOptions(ComparedKind.defaults(), Map.of(), ref -> false, Set.of(), Duration.ofSeconds(30),
        MAX_PARALLELISM);
  }

  public boolean compares(ComparedKind kind) {
    return compared.contains(kind);
  }

  /**
   * What changes the snapshot's content besides the database: the compared kinds and the role map, in a stable
   * spelling, for cache keys.
   */
  public String contentKey() {
    return (compared.isEmpty() ? EnumSet.noneOf(ComparedKind.class) : EnumSet.copyOf(compared)) + " "
        + new TreeMap<>(roleMap);
  }

  public SnapshotOptions withCompared(Set<ComparedKind> value) {
    return new SnapshotOptions(value, roleMap, ignored, excludedTables, statementTimeout, parallelism);
  }

  public SnapshotOptions withRoleMap(Map<String, String> value) {
    return new SnapshotOptions(compared, value, ignored, excludedTables, statementTimeout, parallelism);
  }

  public SnapshotOptions withIgnored(Predicate<ObjectRef> value) {
    return new SnapshotOptions(compared, roleMap, value, excludedTables, statementTimeout, parallelism);
  }

  public SnapshotOptions withExcludedTables(Set<String> value) {
    return new SnapshotOptions(compared, roleMap, ignored, value, statementTimeout, parallelism);
  }

  public SnapshotOptions withParallelism(int value) {
    return new SnapshotOptions(compared, roleMap, ignored, excludedTables, statementTimeout, value);
  }
}
