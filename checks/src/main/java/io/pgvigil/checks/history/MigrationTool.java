package io.pgvigil.checks.history;

import java.util.Locale;

public enum MigrationTool {
  FLYWAY,
  PRISMA;

  /** The name used in config, JSON and text output. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
