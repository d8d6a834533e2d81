package io.pgvigil.checks.history;

import io.pgvigil.checks.testing.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.TestInfo;

/**
 * A Prisma migrations directory and a {@code _prisma_migrations} table written the way Prisma
 * Migrate writes them, in a schema of the test's own.
 */
final class PrismaProject {

  /** prisma-engines, postgres flavour {@code create_migrations_table}: no unique index on migration_name. */
  private static final String CREATE_TABLE = """
      CREATE TABLE _prisma_migrations (
          id                      VARCHAR(36) PRIMARY KEY NOT NULL,
          checksum                VARCHAR(64) NOT NULL,
          finished_at             TIMESTAMPTZ,
          migration_name          VARCHAR(255) NOT NULL,
          logs                    TEXT,
          rolled_back_at          TIMESTAMPTZ,
          started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
          applied_steps_count     INTEGER NOT NULL DEFAULT 0
      )
      """;

  private static final String INSERT = """
      INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at,
                                      applied_steps_count)
      VALUES (?, ?, CASE WHEN ? THEN now() END, ?, ?, CASE WHEN ? THEN now() END, now(), ?)
      """;

  private final TestPostgres pg;
  private final Path dir;
  private final String schema;

  PrismaProject(TestPostgres pg, Path dir, TestInfo test) throws SQLException {
    this.pg = pg;
    this.dir = dir;
    this.schema = schemaFor(test.getTestMethod().orElseThrow().getName());
    try (Connection connection = pg.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
  }

  Path dir() {
    return dir;
  }

  String schema() {
    return schema;
  }

  PrismaProject createTable() throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute(CREATE_TABLE);
    }
    return this;
  }

  PrismaProject write(String name, String sql) throws IOException {
    return write(name, sql.getBytes(StandardCharsets.UTF_8));
  }

  PrismaProject write(String name, byte[] script) throws IOException {
    Files.createDirectories(dir.resolve(name));
    Files.write(dir.resolve(name).resolve("migration.sql"), script);
    return this;
  }

  PrismaProject deleteDirectory(String name) throws IOException {
    Files.delete(dir.resolve(name).resolve("migration.sql"));
    Files.delete(dir.resolve(name));
    return this;
  }

  /** Runs the script and records it as migrate deploy does on success. */
  PrismaProject apply(String name) throws Exception {
    byte[] script = Files.readAllBytes(dir.resolve(name).resolve("migration.sql"));
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute(new String(script, StandardCharsets.UTF_8));
    }
    return record(name, PrismaChecksum.of(script), true, null, false);
  }

  /** A history row as Prisma writes it: a new UUID per attempt, steps counted when finished. */
  PrismaProject record(String name, String checksum, boolean finished, String logs, boolean rolledBack)
      throws SQLException {
    try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
      insert.setString(1, UUID.randomUUID().toString());
      insert.setString(2, checksum);
      insert.setBoolean(3, finished);
      insert.setString(4, name);
      insert.setString(5, logs);
      insert.setBoolean(6, rolledBack);
      insert.setInt(7, finished ? 1 : 0);
      insert.executeUpdate();
    }
    return this;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database() + "?currentSchema=" + schema;
  }

  Connection connect() throws SQLException {
    Connection connection = pg.connect();
    try (PreparedStatement statement = connection.prepareStatement("SELECT set_config('search_path', ?, false)")) {
      statement.setString(1, schema);
      statement.execute();
    }
    return connection;
  }

  HistoryReport read() throws HistoryException {
    return new MigrationSource.Prisma(dir)
        .read(new HistoryDatabase(jdbcUrl(), pg.user(), pg.password()), FlywayProject.NOW);
  }

  private static String schemaFor(String testName) {
    String name = "p_" + testName.toLowerCase();
    return name.length() > 60 ? name.substring(0, 60) : name;
  }
}
