package io.pgvigil.checks.migration;

import java.util.Locale;

/**
 * What a running migration was recognised by. Separate from
 * {@link io.pgvigil.checks.history.MigrationTool}, which lists the tools whose history pgvigil
 * reads: pgvigil sees a Liquibase lock or a matching application_name, but reads no such history.
 */
public enum DetectedTool {
  /** Flyway's advisory lock, or a second connection of the same Flyway client (see MigrationDetector). */
  FLYWAY,
  /** Prisma Migrate's advisory lock. */
  PRISMA,
  /** A {@code databasechangeloglock} row with {@code locked = true}; it names no backend. */
  LIQUIBASE,
  /** A session whose {@code application_name} matches a configured pattern. */
  APPLICATION;

  /** The name used in config, JSON and text output. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
