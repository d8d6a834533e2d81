package io.pgvigil.checks.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Broken inputs each give one clear HistoryException that names the file, table or server. */
@ExtendWith(PostgresExtension.class)
class FlywayInputsIT {

  private TestPostgres pg;
  private FlywayProject project;

  @BeforeEach
  void project(TestPostgres pg, @TempDir Path dir, TestInfo test) throws Exception {
    this.pg = pg;
    project = new FlywayProject(pg, dir, test).withAccount();
  }

  @Test
  void namesAMissingLocationWithItsAbsolutePath() {
    Path relative = Path.of("no-such-dir", "db", "migration");
    MigrationSource source =
        new MigrationSource.Flyway(List.of(relative), FlywayProject.TABLE,
            List.of("public"), false);

    assertThatThrownBy(() -> source.read(project.db(), Instant.now()))
        .isInstanceOf(HistoryException.class)
        .hasMessage("migrations location " + relative + " (" + relative.toAbsolutePath() + ") does not exist; "
            + "check the path in the target's migrations settings");
  }

  @Test
  void namesAFileThatIsNotUtf8AndTheByteOffset() throws Exception {
    project.migrate();
    project.write("V2__latin1.sql", new byte[] {'S', 'E', 'L', 'E', 'C', 'T', ' ', '\'', (byte) 0xE9, '\'', ';'});

    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessageStartingWith("migration file V2__latin1.sql (")
        .hasMessageEndingWith(
            ") is not valid UTF-8: byte 0xE9 at byte offset 8 does not decode; save the file as UTF-8");
  }

  @Test
  void namesAFileThatCannotBeRead() throws Exception {
    project.migrate();
    Files.createSymbolicLink(project.dir().resolve("V2__gone.sql"), project.dir().resolve("nowhere.sql"));

    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessageStartingWith("cannot read migration file V2__gone.sql (")
        .hasMessageEndingWith("): it does not exist (a dangling symbolic link?)");
  }

  @Test
  void namesBothFilesOfADuplicateVersion() throws Exception {
    project.migrate();
    project.write("V2__add_email.sql", "ALTER TABLE account ADD COLUMN email text;\n")
        .write("later/V2.0__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n");

    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessageStartingWith("two migrations have version 2")
        .hasMessageContaining("V2__add_email.sql")
        .hasMessageContaining("later/V2.0__add_name.sql")
        .hasMessageEndingWith("; give one of them a new version (Flyway refuses duplicate versions)");
  }

  @Test
  void saysWhenTheHistoryTableDoesNotExist() throws Exception {
    execute("CREATE SCHEMA " + project.schema());

    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessage("history table " + project.schema() + ".flyway_schema_history does not exist in database app: "
            + "has it been migrated? check migrations.table and migrations.schemas");
  }

  @Test
  void saysWhichGrantIsMissing() throws Exception {
    project.migrate();
    execute("CREATE ROLE drift_reader LOGIN");
    HistoryDatabase reader = new HistoryDatabase(project.db().jdbcUrl(), "drift_reader", null);
    String table = project.schema() + ".flyway_schema_history";

    assertThatThrownBy(() -> project.read(reader))
        .isInstanceOf(HistoryException.class)
        .hasMessage("permission denied on history table " + table + " for role drift_reader (SQLSTATE 42501); run: "
            + "GRANT USAGE ON SCHEMA " + project.schema() + " TO drift_reader; GRANT SELECT ON " + table
            + " TO drift_reader");

    // With exactly those grants (and pg_monitor-like visibility) the read works: Flyway only reads.
    execute("GRANT USAGE ON SCHEMA " + project.schema() + " TO drift_reader");
    execute("GRANT SELECT ON " + table + " TO drift_reader");
    assertThat(project.read(reader).problems()).isEmpty();
  }

  @Test
  void namesTheServerOfARefusedConnectionButNeverThePassword() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    HistoryDatabase nowhere =
        new HistoryDatabase("jdbc:postgresql://127.0.0.1:" + port + "/app", "pgvigil", "s3cret-pw");

    assertThatThrownBy(() -> project.read(nowhere))
        .isInstanceOf(HistoryException.class)
        .hasMessageStartingWith("cannot connect to PostgreSQL at 127.0.0.1:" + port + "/app: ")
        .hasMessageContaining("(SQLSTATE 08001)")
        .hasMessageEndingWith("; check the target's url and that the server accepts connections")
        .message().doesNotContain("s3cret-pw").doesNotContain("\n");
  }

  @Test
  void turnsFlywayErrorsIntoOneLine() throws Exception {
    project.migrate();
    project.write("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n")
        .write("more/R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 2;\n");

    assertThatThrownBy(project::read)
        .isInstanceOf(HistoryException.class)
        .hasMessageStartingWith("Flyway could not read " + project.schema() + ".flyway_schema_history in "
            + pg.host() + ":" + pg.port() + "/app: ")
        .hasMessageContaining("R__view.sql")
        .message().doesNotContain("\n");
  }

  @Test
  void sessionsAreLabelledReadOnlyAndBounded() throws Exception {
    try (Connection connection = project.db().open();
        Statement statement = connection.createStatement();
        java.sql.ResultSet rows = statement.executeQuery("SELECT current_setting('application_name'), "
            + "current_setting('statement_timeout'), current_setting('lock_timeout'), "
            + "current_setting('transaction_read_only')")) {
      rows.next();
      assertThat(List.of(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)))
          .containsExactly("pgvigil", "10s", "2s", "on");
    }
  }

  private void execute(String sql) throws Exception {
    try (Connection connection = pg.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
