package io.pgvigil.checks.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.testing.ConfigMapVolume;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.nio.file.Path;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Each Flyway state pgvigil reports, produced by a real migrate and then an edit of the files. */
@ExtendWith(PostgresExtension.class)
class FlywayHistoryIT {

  private FlywayProject project;

  @BeforeEach
  void project(TestPostgres pg, @TempDir Path dir, TestInfo test) throws Exception {
    project = new FlywayProject(pg, dir, test).withAccount()
        .write("V2__add_email.sql", "ALTER TABLE account ADD COLUMN email text;\n");
  }

  @Test
  void reportsNoProblemsForACleanHistory() throws Exception {
    project.write("V3__index_email.sql", "CREATE INDEX CONCURRENTLY account_email ON account (email);\n")
        // The community edition honours a .sql.conf (not an inline comment) for this.
        .write("V3__index_email.sql.conf", "executeInTransaction=false\n")
        .write("R__account_view.sql", "CREATE OR REPLACE VIEW account_view AS SELECT id FROM account;\n")
        .migrate();

    HistoryReport report = project.read();

    assertThat(report.problems()).isEmpty();
    assertThat(report.clean()).isTrue();
    assertThat(report.tool()).isEqualTo(MigrationTool.FLYWAY);
    assertThat(report.historyTable()).isEqualTo(project.schema() + ".flyway_schema_history");
    assertThat(report.applied()).isEqualTo(4);
    assertThat(report.pending()).isZero();
    assertThat(report.inProgress()).isEmpty();
    assertThat(report.checkedAt()).isEqualTo(FlywayProject.NOW);
  }

  @Test
  void readsAConfigMapVolumeOnceNotThroughItsHiddenDirectories() throws Exception {
    project.write("afterMigrate.sql", "SELECT 1;\n").migrate();
    ConfigMapVolume.mount(project.dir());

    HistoryReport report = project.read();

    assertThat(report.problems()).isEmpty();
    assertThat(report.clean()).isTrue();
    assertThat(report.applied()).isEqualTo(2);
    assertThat(report.appliedMigrations()).containsExactly("V1__create_account.sql", "V2__add_email.sql");
    assertThat(project.source().callbacks()).extracting(MigrationSource.ReplayedFile::name)
        .containsExactly("callbacks-0/afterMigrate.sql");
    // Flyway itself reads the volume the same way: nothing new to apply, no duplicate version.
    project.migrate();
    assertThat(project.read().applied()).isEqualTo(2);
  }

  @Test
  void lineEndingAndByteOrderMarkEditsAreNotChecksumMismatches() throws Exception {
    project.migrate();
    project.write("V1__create_account.sql", "\uFEFFCREATE TABLE account (id bigint PRIMARY KEY);\r\n")
        .write("V2__add_email.sql", "ALTER TABLE account ADD COLUMN email text;\r\n");

    assertThat(project.read().problems()).isEmpty();
  }

  @Test
  void reportsPendingMigrations() throws Exception {
    project.migrate();
    project.write("V3__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n");

    HistoryReport report = project.read();

    assertThat(report.pending()).isEqualTo(1);
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.PENDING);
      assertThat(p.version()).isEqualTo("3");
      assertThat(p.description()).isEqualTo("add name");
      assertThat(p.script()).isEqualTo("V3__add_name.sql");
    });
  }

  @Test
  void reportsAppliedMigrationWhoseFileIsGone() throws Exception {
    project.write("V3__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n").migrate();
    project.delete("V2__add_email.sql");

    assertThat(project.read().problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.MISSING_FROM_REPOSITORY);
      assertThat(p.version()).isEqualTo("2");
      assertThat(p.script()).isEqualTo("V2__add_email.sql");
    });
  }

  @Test
  void reportsDatabaseAheadOfTheFilesAsFilesBehindNotAsAProblem() throws Exception {
    // The app deployed V2; pgvigil's copy of the files still stops at V1.
    project.migrate();
    project.delete("V2__add_email.sql");

    HistoryReport report = project.read();

    assertThat(report.problems()).isEmpty();
    assertThat(report.filesBehind()).containsExactly("2");
    assertThat(report.appliedMigrations()).containsExactly("V1__create_account.sql");
  }

  @Test
  void aLocationWithNoneOfTheAppliedMigrationsIsAnErrorNotFilesBehind() throws Exception {
    // An empty (never synced) or wrong location: every applied version is newer than every file.
    project.migrate();
    project.delete("V1__create_account.sql").delete("V2__add_email.sql");

    assertThatThrownBy(project::read).isInstanceOf(HistoryException.class)
        .hasMessageContaining("none of the 2 migrations applied to " + project.schema() + ".flyway_schema_history")
        .hasMessageContaining("(latest V2)")
        .hasMessageContaining(project.dir().toString())
        .hasMessageContaining("check the migrations locations");

    project.write("V0_5__other_project.sql", "CREATE TABLE other (id int);\n");
    assertThatThrownBy(project::read).as("a file live never applied is no match")
        .isInstanceOf(HistoryException.class).hasMessageContaining("none of the 2 migrations applied");
  }

  @Test
  void listsTheAppliedScriptsInTheOrderTheyWereAppliedAndLeavesIgnoredFilesOut() throws Exception {
    project.write("sub/V3__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n")
        .write("R__account_view.sql", "CREATE OR REPLACE VIEW account_view AS SELECT id FROM account;\n").migrate();
    project.write("V2_5__add_phone.sql", "ALTER TABLE account ADD COLUMN phone text;\n")
        .migrate(c -> c.outOfOrder(true));
    // Added after V3 was applied, and migrate (outOfOrder=false) skips it: live never ran it.
    project.write("V2_7__add_fax.sql", "ALTER TABLE account ADD COLUMN fax text;\n");

    HistoryReport report = project.read();

    assertThat(report.appliedMigrations()).containsExactly("V1__create_account.sql", "V2__add_email.sql",
        "sub/V3__add_name.sql", "R__account_view.sql", "V2_5__add_phone.sql");
    assertThat(report.head()).isEqualTo("V2_5__add_phone.sql");
    assertThat(report.filesBehind()).isEmpty();
  }

  @Test
  void aBaselineRowStandsForTheFilesUpToItsVersionInTheReplay(TestPostgres pg) throws Exception {
    // A schema made before Flyway, adopted with baselineOnMigrate at version 2.
    try (java.sql.Connection c = pg.connect(); java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + project.schema());
      s.execute("CREATE TABLE " + project.schema() + ".account (id bigint PRIMARY KEY, email text)");
    }
    project.write("V3__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n")
        .migrate(c -> c.baselineOnMigrate(true).baselineVersion("2"));

    HistoryReport report = project.read();

    assertThat(report.problems()).isEmpty();
    assertThat(report.appliedMigrations())
        .containsExactly("V1__create_account.sql", "V2__add_email.sql", "V3__add_name.sql");
  }

  @Test
  void reportsEditedMigrationWithBothChecksums() throws Exception {
    project.migrate();
    project.write("V1__create_account.sql", "CREATE TABLE account (id bigint PRIMARY KEY, created timestamptz);\n");

    assertThat(project.read().problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.CHECKSUM_MISMATCH);
      assertThat(p.version()).isEqualTo("1");
      assertThat(p.script()).isEqualTo("V1__create_account.sql");
      assertThat(p.detail()).matches("applied with checksum -?\\d+, the file now has checksum -?\\d+");
    });
  }

  @Test
  void reportsFailedNonTransactionalMigration() throws Exception {
    // PostgreSQL rolls a failed transactional migration back with its history row; only a
    // non-transactional one leaves a failed row behind.
    project.write("V3__broken.sql", "CREATE INDEX CONCURRENTLY broken ON no_such_table (id);\n")
        .write("V3__broken.sql.conf", "executeInTransaction=false\n");
    assertThatThrownBy(project::migrate).isInstanceOf(FlywayException.class);

    HistoryReport report = project.read();

    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.FAILED);
      assertThat(p.version()).isEqualTo("3");
      assertThat(p.detail()).contains("flyway repair");
    });
    assertThat(report.applied()).isEqualTo(2);
  }

  @Test
  void reportsLowerVersionNeverAppliedAsOutOfOrder() throws Exception {
    project.write("V3__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n").migrate();
    project.write("V2_5__add_phone.sql", "ALTER TABLE account ADD COLUMN phone text;\n");

    HistoryReport report = project.read();

    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.OUT_OF_ORDER);
      assertThat(p.version()).isEqualTo("2.5");
      assertThat(p.detail()).isEqualTo("never applied, and lower than the latest applied version 3: "
          + "migrate skips it unless outOfOrder is enabled");
    });
    assertThat(report.pending()).isZero();
  }

  @Test
  void reportsMigrationAppliedAfterAHigherVersionAsOutOfOrder() throws Exception {
    project.write("V3__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n").migrate();
    project.write("V2_5__add_phone.sql", "ALTER TABLE account ADD COLUMN phone text;\n")
        .migrate(c -> c.outOfOrder(true));

    assertThat(project.read().problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.OUT_OF_ORDER);
      assertThat(p.version()).isEqualTo("2.5");
      assertThat(p.detail()).contains("after a higher version");
    });
  }

  @Test
  void reportsChangedRepeatableOnceAsOutdated() throws Exception {
    project.write("R__account_view.sql", "CREATE OR REPLACE VIEW account_view AS SELECT id FROM account;\n").migrate();
    project.write("R__account_view.sql", "CREATE OR REPLACE VIEW account_view AS SELECT id, email FROM account;\n");

    HistoryReport report = project.read();

    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.REPEATABLE_OUTDATED);
      assertThat(p.version()).isNull();
      assertThat(p.description()).isEqualTo("account view");
    });
    assertThat(report.pending()).isZero();
  }

  @Test
  void baselineMigrationsAndUndoFilesAreNotDrift() throws Exception {
    // A fresh database starts from the latest B file; the V files below it are BELOW_BASELINE.
    project.write("B2__baseline.sql", "CREATE TABLE account (id bigint PRIMARY KEY, email text);\n").migrate();
    // Undo (U) files are a Teams feature: the community edition skips them as misnamed.
    project.write("U2__add_email.sql", "ALTER TABLE account DROP COLUMN email;\n")
        // Flyway applies B files only to an empty database; a newer one is for new environments.
        .write("B3__baseline.sql", "CREATE TABLE account (id bigint PRIMARY KEY, email text, name text);\n")
        .write("V3__add_name.sql", "ALTER TABLE account ADD COLUMN name text;\n");

    HistoryReport report = project.read();

    assertThat(report.problems()).extracting(HistoryProblem::kind, HistoryProblem::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(HistoryProblemKind.PENDING, "3"));
    assertThat(report.applied()).isEqualTo(1);
  }
}
