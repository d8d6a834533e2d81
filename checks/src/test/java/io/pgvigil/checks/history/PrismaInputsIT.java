package io.pgvigil.checks.history;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Broken Prisma inputs each give one clear HistoryException. */
@ExtendWith(PostgresExtension.class)
class PrismaInputsIT {

  private TestPostgres pg;
  private PrismaProject project;

  @BeforeEach
  void project(TestPostgres pg, @TempDir Path dir, TestInfo test) throws Exception {
    this.pg = pg;
    project = new PrismaProject(pg, dir, test)
        .write(PrismaHistoryIT.INIT, "CREATE TABLE \"Account\" (\"id\" SERIAL PRIMARY KEY);\n");
  }

  @Test
  void saysWhenTheHistoryTableDoesNotExist() {
    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessage("history table _prisma_migrations does not exist in database app (search_path "
            + project.schema() + "): has prisma migrate deploy run against it? check the schema in the target's "
            + "url (?currentSchema=)");
  }

  @Test
  void saysWhichGrantIsMissing() throws Exception {
    project.createTable();
    execute("CREATE ROLE prisma_reader LOGIN");
    execute("GRANT USAGE ON SCHEMA " + project.schema() + " TO prisma_reader");
    HistoryDatabase reader = new HistoryDatabase(project.jdbcUrl(), "prisma_reader", null);
    String table = project.schema() + "._prisma_migrations";

    assertThatThrownBy(() -> new MigrationSource.Prisma(project.dir()).read(reader, Instant.now()))
        .isInstanceOf(HistoryException.class)
        .hasMessage("permission denied on history table " + table + " for role prisma_reader (SQLSTATE 42501); "
            + "run: GRANT SELECT ON " + table + " TO prisma_reader");
  }

  @Test
  void namesAMissingMigrationsDirectory() throws Exception {
    project.createTable();
    Path missing = project.dir().resolve("prisma").resolve("migrations");

    assertThatThrownBy(() -> new MigrationSource.Prisma(missing)
        .read(new HistoryDatabase(project.jdbcUrl(), pg.user(), pg.password()), Instant.now()))
        .isInstanceOf(HistoryException.class)
        .hasMessage("Prisma migrations directory " + missing + " does not exist; check the path in the target's "
            + "migrations settings");
  }

  @Test
  void namesAMigrationDirectoryWithoutItsScript() throws Exception {
    project.createTable();
    Files.createDirectories(project.dir().resolve("20240102000000_empty"));

    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessageStartingWith("Prisma migration 20240102000000_empty has no migration.sql (")
        .hasMessageEndingWith("); Prisma refuses such a directory: add the file or remove the directory");
  }

  @Test
  void namesAScriptThatIsNotUtf8() throws Exception {
    project.createTable().write("20240102000000_latin1", new byte[] {'-', '-', ' ', (byte) 0xFC, '\n'});

    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessageStartingWith("migration file 20240102000000_latin1/migration.sql (")
        .hasMessageEndingWith("is not valid UTF-8: byte 0xFC at byte offset 3 does not decode; save the file as UTF-8");
  }

  private void execute(String sql) throws Exception {
    try (Connection connection = pg.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
