package io.pgvigil.checks.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.pgvigil.checks.testing.ConfigMapVolume;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Each Prisma problem kind, from migration directories and history rows as Prisma writes them. */
@ExtendWith(PostgresExtension.class)
class PrismaHistoryIT {

  static final String INIT = "20240101000000_init";
  static final String EMAIL = "20240102000000_add_email";
  static final String NAME = "20240103000000_add_name";

  private TestPostgres pg;
  private PrismaProject project;

  @BeforeEach
  void project(TestPostgres pg, @TempDir Path dir, TestInfo test) throws Exception {
    this.pg = pg;
    project = new PrismaProject(pg, dir, test)
        .createTable()
        .write(INIT, "-- CreateTable\nCREATE TABLE \"Account\" (\"id\" SERIAL NOT NULL PRIMARY KEY);\n")
        .write(EMAIL, "-- AlterTable\nALTER TABLE \"Account\" ADD COLUMN \"email\" TEXT;\n");
    Files.writeString(dir.resolve("migration_lock.toml"), "provider = \"postgresql\"\n");
  }

  @Test
  void reportsNoProblemsForACleanHistory() throws Exception {
    project.apply(INIT).apply(EMAIL);

    HistoryReport report = project.read();

    assertThat(report.problems()).isEmpty();
    assertThat(report.tool()).isEqualTo(MigrationTool.PRISMA);
    assertThat(report.historyTable()).isEqualTo(project.schema() + "._prisma_migrations");
    assertThat(report.applied()).isEqualTo(2);
    assertThat(report.pending()).isZero();
    assertThat(report.inProgress()).isEmpty();
  }

  /** A ConfigMap with items mapping each key to <name>/migration.sql (helm/pgvigil/examples/values-cloudsql.yaml). */
  @Test
  void readsAConfigMapVolumeWithoutTakingItsHiddenDirectoriesForMigrations() throws Exception {
    project.apply(INIT).apply(EMAIL);
    ConfigMapVolume.mount(project.dir());

    HistoryReport report = project.read();

    assertThat(report.problems()).isEmpty();
    assertThat(report.applied()).isEqualTo(2);
    assertThat(report.appliedMigrations()).containsExactly(INIT, EMAIL);
    assertThat(new MigrationSource.Prisma(project.dir()).replayedFiles(report.appliedMigrations()))
        .extracting(MigrationSource.ReplayedFile::path).doesNotContainNull();
  }

  @Test
  void reportsPendingMigrations() throws Exception {
    project.apply(INIT);

    HistoryReport report = project.read();

    assertThat(report.pending()).isEqualTo(1);
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.PENDING);
      assertThat(p.version()).isEqualTo(EMAIL);
      assertThat(p.script()).isEqualTo(EMAIL + "/migration.sql");
    });
  }

  @Test
  void reportsAppliedMigrationWhoseDirectoryIsGone() throws Exception {
    project.apply(INIT).apply(EMAIL).write(NAME, "ALTER TABLE \"Account\" ADD COLUMN \"name\" TEXT;\n").apply(NAME)
        .deleteDirectory(EMAIL);

    assertThat(project.read().problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.MISSING_FROM_REPOSITORY);
      assertThat(p.version()).isEqualTo(EMAIL);
      assertThat(p.script()).isEqualTo(EMAIL + "/migration.sql");
    });
  }

  @Test
  void reportsDatabaseAheadOfTheFilesAsFilesBehindNotAsAProblem() throws Exception {
    project.apply(INIT).apply(EMAIL).deleteDirectory(EMAIL);

    HistoryReport report = project.read();

    assertThat(report.problems()).isEmpty();
    assertThat(report.filesBehind()).containsExactly(EMAIL);
  }

  @Test
  void aDirectoryWithNoneOfTheAppliedMigrationsIsAnErrorNotFilesBehind() throws Exception {
    // An empty (never synced) or wrong directory: every applied name sorts after every file here.
    project.apply(INIT).apply(EMAIL).deleteDirectory(INIT).deleteDirectory(EMAIL);

    assertThatThrownBy(project::read).isInstanceOf(HistoryException.class)
        .hasMessageContaining("none of the 2 migrations applied to " + project.schema() + "._prisma_migrations")
        .hasMessageContaining("(latest " + EMAIL + ")")
        .hasMessageContaining(project.dir().toString())
        .hasMessageContaining("check the migrations directory");
  }

  @Test
  void listsTheAppliedMigrationsInTheOrderTheyWereApplied() throws Exception {
    project.apply(INIT).write(NAME, "ALTER TABLE \"Account\" ADD COLUMN \"name\" TEXT;\n").apply(NAME).apply(EMAIL);

    assertThat(project.read().appliedMigrations()).containsExactly(INIT, NAME, EMAIL);
  }

  @Test
  void reportsEditedMigrationWithBothChecksums() throws Exception {
    project.apply(INIT);
    String applied = PrismaChecksum.of(Files.readAllBytes(project.dir().resolve(INIT).resolve("migration.sql")));
    String edited = "-- CreateTable\nCREATE TABLE \"Account\" (\"id\" BIGSERIAL NOT NULL PRIMARY KEY);\n";
    project.write(INIT, edited).apply(EMAIL);

    assertThat(project.read().problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.CHECKSUM_MISMATCH);
      assertThat(p.version()).isEqualTo(INIT);
      assertThat(p.detail()).isEqualTo("applied with checksum " + applied + ", the file now has checksum "
          + PrismaChecksum.of(edited.getBytes(StandardCharsets.UTF_8)));
    });
  }

  @Test
  void lineEndingAndByteOrderMarkEditsAreNotChecksumMismatches() throws Exception {
    project.apply(INIT).apply(EMAIL)
        .write(INIT, "-- CreateTable\r\nCREATE TABLE \"Account\" (\"id\" SERIAL NOT NULL PRIMARY KEY);\r\n")
        .write(EMAIL, "\uFEFF-- AlterTable\nALTER TABLE \"Account\" ADD COLUMN \"email\" TEXT;\n");

    assertThat(project.read().problems()).isEmpty();
  }

  @Test
  void acceptsChecksumsInTheOldUnpaddedFormat() throws Exception {
    byte[] script = Files.readAllBytes(project.dir().resolve(INIT).resolve("migration.sql"));
    String old = PrismaChecksum.oldFormat(PrismaChecksum.sha256(script));
    project.record(INIT, old, true, null, false);

    assertThat(old).hasSizeLessThan(64);
    assertThat(project.read().problems()).extracting(HistoryProblem::kind).containsExactly(HistoryProblemKind.PENDING);

    project.write(INIT, "CREATE TABLE \"Account\" (\"id\" BIGINT PRIMARY KEY);\n");
    assertThat(project.read().problems()).extracting(HistoryProblem::kind)
        .containsExactly(HistoryProblemKind.CHECKSUM_MISMATCH, HistoryProblemKind.PENDING);
  }

  @Test
  void reportsUnfinishedRowWithoutTheLockAsFailedWithItsLog() throws Exception {
    project.apply(INIT).record(EMAIL, "0".repeat(64), false,
        "Database error code: 42P01\nERROR: relation \"Acount\" does not exist", false);

    HistoryReport report = project.read();

    assertThat(report.inProgress()).isEmpty();
    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.FAILED);
      assertThat(p.version()).isEqualTo(EMAIL);
      assertThat(p.detail())
          .contains("no Prisma migration holds the lock: it failed; logs: Database error code: 42P01;")
          .endsWith("prisma migrate resolve --rolled-back or --applied " + EMAIL);
    });
  }

  @Test
  void rolledBackAttemptDoesNotCount() throws Exception {
    project.apply(INIT).record(EMAIL, "0".repeat(64), false, "boom", true);

    assertThat(project.read().problems()).extracting(HistoryProblem::kind, HistoryProblem::version)
        .containsExactly(tuple(HistoryProblemKind.PENDING, EMAIL));

    project.apply(EMAIL); // the retry that worked
    assertThat(project.read().problems()).isEmpty();
  }

  @Test
  void reportsMigrationSortingBeforeTheLatestAppliedAsOutOfOrder() throws Exception {
    project.write(NAME, "ALTER TABLE \"Account\" ADD COLUMN \"name\" TEXT;\n").apply(INIT).apply(NAME);

    HistoryReport report = project.read();

    assertThat(report.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(HistoryProblemKind.OUT_OF_ORDER);
      assertThat(p.version()).isEqualTo(EMAIL);
      assertThat(p.detail()).isEqualTo("never applied, and sorts before the latest applied migration " + NAME);
    });
    assertThat(report.pending()).isZero();
  }

  @Test
  void lockHeldWithAnUnfinishedRowIsAMigrationInProgress() throws Exception {
    project.apply(INIT).write(NAME, "ALTER TABLE \"Account\" ADD COLUMN \"name\" TEXT;\n");
    try (Connection prisma = project.connect(); Statement statement = prisma.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(72707369)");
      project.record(EMAIL, "0".repeat(64), false, null, false); // started, running now

      int prismaPid = pid(prisma);
      HistoryReport report = project.read();

      assertThat(report.inProgress()).hasValueSatisfying(m -> {
        assertThat(m.tool()).isEqualTo(MigrationTool.PRISMA);
        assertThat(m.pid()).isEqualTo(prismaPid);
        assertThat(m.since()).isNotNull();
        assertThat(m.evidence()).isEqualTo("advisory lock 72707369 held, unfinished history row " + EMAIL);
      });
      assertThat(report.problems()).isEmpty();
      assertThat(report.pending()).isEqualTo(1);
    }
    assertThat(project.read().problems()).extracting(HistoryProblem::kind)
        .containsExactly(HistoryProblemKind.FAILED, HistoryProblemKind.PENDING);
  }

  private static int pid(Connection connection) throws Exception {
    try (Statement statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
