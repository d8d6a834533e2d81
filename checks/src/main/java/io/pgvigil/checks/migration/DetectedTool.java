package io.pgvigil.checks.migration;

/**
 * What a running migration was recognised by. Separate from
 * {@link io.pgvigil.checks.history.MigrationTool}, which lists the tools whose history pgvigil
 * reads: pgvigil sees a Liquibase lock or a matching application_name, but reads no such history.
 */
public enum DetectedTool {
  /** Flyway's advisory lock, or a second connection of the same Flyway client (see MigrationDetector). */
  FLYWAY("flyway"),
  /** Prisma Migrate's advisory lock. */
  PRISMA("prisma"),
  /** A {@code databasechangeloglock} row with {@code locked = true}; it names no backend. */
  LIQUIBASE("liquibase"),
  /** A session whose {@code application_name} matches a configured pattern. */
  APPLICATION("application");

  private final String label;

  DetectedTool(String label) {
    this.label = label;
  }

  /** The name used in config, JSON and text output. */
  public String label() {
    return label;
  }
}
