package io.pgvigil.checks.history;

import io.pgvigil.checks.testing.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.TestInfo;

/**
 * A migrations directory a test writes, migrated into its own schema by a real Flyway, and read
 * back by pgvigil.
 */
final class FlywayProject {

  static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  static final String TABLE = "flyway_schema_history";

  private final TestPostgres pg;
  private final Path dir;
  private final String schema;
  private String table = TABLE;

  /** A project in a schema named after the running test. */
  FlywayProject(TestPostgres pg, Path dir, TestInfo test) {
    this.pg = pg;
    this.dir = dir;
    this.schema = schemaFor(test.getTestMethod().orElseThrow().getName());
  }

  Path dir() {
    return dir;
  }

  String schema() {
    return schema;
  }

  FlywayProject table(String name) {
    this.table = name;
    return this;
  }

  FlywayProject write(String file, String sql) throws IOException {
    return write(file, sql.getBytes(StandardCharsets.UTF_8));
  }

  FlywayProject write(String file, byte[] bytes) throws IOException {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.write(path, bytes);
    return this;
  }

  /** V1, creating the account table most tests start from. */
  FlywayProject withAccount() throws IOException {
    return write("V1__create_account.sql", "CREATE TABLE account (id bigint PRIMARY KEY);\n");
  }

  FlywayProject delete(String file) throws IOException {
    Files.delete(dir.resolve(file));
    return this;
  }

  void migrate() {
    migrate(c -> c);
  }

  /**
   * Migrates as a deployment would; the session-level lock keeps CREATE INDEX CONCURRENTLY from
   * waiting on Flyway's own lock transaction (flyway/flyway#3497).
   */
  void migrate(UnaryOperator<FluentConfiguration> extra) {
    flyway(extra, true).migrate();
  }

  /** A migrate with Flyway's default transactional advisory lock. */
  void migrateWithTransactionalLock() {
    flyway(c -> c, false).migrate();
  }

  private Flyway flyway(UnaryOperator<FluentConfiguration> extra, boolean sessionLock) {
    FluentConfiguration configuration = Flyway.configure()
        .dataSource(pg.jdbcUrl(), null, null)
        .locations("filesystem:" + dir)
        .schemas(schema)
        .table(table);
    if (sessionLock) {
      configuration.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    }
    return extra.apply(configuration).load();
  }

  HistoryDatabase db() {
    return new HistoryDatabase("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), pg.user(),
        pg.password());
  }

  MigrationSource.Flyway source() {
    return new MigrationSource.Flyway(List.of(dir), table, List.of(schema), false);
  }

  HistoryReport read() throws HistoryException {
    return read(db());
  }

  HistoryReport read(HistoryDatabase db) throws HistoryException {
    return source().read(db, NOW);
  }

  private static String schemaFor(String testName) {
    String name = "f_" + testName.toLowerCase();
    return name.length() > 60 ? name.substring(0, 60) : name;
  }
}
