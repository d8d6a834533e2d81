package io.pgvigil.checks.history;

import java.nio.file.Path;
import java.util.List;

/** Where a target's migrations live in the repository, and where the database keeps its history. */
public sealed interface MigrationSource {

  MigrationTool tool();

  /**
   * Flyway: SQL migrations under {@code locations} (V, U, R and B prefixes,
   * {@code .sql.conf} files beside them), history in {@code table} in the first
   * of {@code schemas}, as Flyway itself does.
   */
  record Flyway(List<Path> locations, String table, List<String> schemas) implements MigrationSource {
    public Flyway {
      locations = List.copyOf(locations);
      schemas = List.copyOf(schemas);
    }

    @Override
    public MigrationTool tool() {
      return MigrationTool.FLYWAY;
    }
  }

  /** Prisma Migrate: {@code <directory>/<name>/migration.sql}, history in {@code _prisma_migrations}. */
  record Prisma(Path directory) implements MigrationSource {
    @Override
    public MigrationTool tool() {
      return MigrationTool.PRISMA;
    }
  }
}
