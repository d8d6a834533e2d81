package io.pgvigil.checks.schema;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a snapshot may also take in beyond the structure, one word of the configuration's {@code drift.compare} each.
 * Comments and statistics targets come from the migrations, so they are the same in every environment and compared by
 * default; grants, owners and default privileges name roles, which differ between environments (the shadow replays as
 * its own superuser), so they are compared only when asked for, with {@link SnapshotOptions#roleMap()} to translate
 * role names.
 */
public enum ComparedKind {
  /** {@code COMMENT ON} texts. */
  COMMENTS("comments", false),
  /** Per-column statistics targets ({@code ALTER TABLE ... ALTER COLUMN ... SET STATISTICS}). */
  STATISTICS("statistics", false),
  /** Privileges granted to roles other than the owner, on schemas, relations, sequences and functions. */
  GRANTS("grants", true),
  /** Who owns schemas, relations, functions and types. */
  OWNERS("owners", true),
  /** {@code ALTER DEFAULT PRIVILEGES} entries. */
  DEFAULT_PRIVILEGES("defaultPrivileges", true);

  private final String configName;
  private final boolean environmentSpecific;

  ComparedKind(String configName, boolean environmentSpecific) {
    this.configName = configName;
    this.environmentSpecific = environmentSpecific;
  }

  /** The spelling of {@code drift.compare}. */
  public String configName() {
    return configName;
  }

  /** Names roles, so differs between environments: off unless {@code drift.compare} lists it. */
  public boolean environmentSpecific() {
    return environmentSpecific;
  }

  /** What is compared when {@code drift.compare} is left out: everything not environment-specific. */
  public static Set<ComparedKind> defaults() {
    EnumSet<ComparedKind> kinds = EnumSet.noneOf(ComparedKind.class);
    Arrays.stream(values()).filter(kind -> !kind.environmentSpecific).forEach(kinds::add);
    return kinds;
  }

  public static List<String> configNames() {
    return Arrays.stream(values()).map(ComparedKind::configName).toList();
  }

  public static Optional<ComparedKind> fromConfig(String name) {
    return Arrays.stream(values()).filter(kind -> kind.configName.equals(name)).findFirst();
  }
}
