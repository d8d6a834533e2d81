package io.pgvigil.checks.history;

import java.util.Locale;

/** The migration tools whose history pgvigil reads. */
public enum MigrationTool {
  FLYWAY,
  PRISMA;

  /** The name used in config, JSON and text output. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
