package io.pgvigil.checks.history;

/** The migration tools whose history pgvigil reads. */
public enum MigrationTool {
  FLYWAY("flyway"),
  PRISMA("prisma");

  private final String label;

  MigrationTool(String label) {
    this.label = label;
  }

  /** The name used in config, JSON and text output. */
  public String label() {
    return label;
  }
}
