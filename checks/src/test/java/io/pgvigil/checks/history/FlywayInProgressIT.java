package io.pgvigil.checks.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A running Flyway migrate is seen through its advisory lock, and what it is applying is not drift. */
@ExtendWith(PostgresExtension.class)
class FlywayInProgressIT {

  /** The slow migration waits on this key, which the test holds; no sleeping. */
  private static final long GATE = 4242;

  private TestPostgres pg;
  private FlywayProject project;

  @BeforeEach
  void project(TestPostgres pg, @TempDir Path dir, TestInfo test) throws Exception {
    this.pg = pg;
    project = new FlywayProject(pg, dir, test).withAccount();
  }

  @Test
  void sessionHoldingFlywaysLockMeansInProgressAndPendingIsNotDrift() throws Exception {
    project.migrate();
    project.write("V2__add_email.sql", "ALTER TABLE account ADD COLUMN email text;\n");
    long key = AdvisoryLockKeys.flyway(project.schema(), FlywayProject.TABLE);
    try (Connection holder = pg.connect()) {
      int holderPid = pid(holder);
      try (PreparedStatement lock = holder.prepareStatement("SELECT pg_advisory_lock(?)")) {
        lock.setLong(1, key);
        lock.execute();
      }

      HistoryReport report = project.read(); // Flyway's info and validate do not take the lock

      assertThat(report.inProgress()).hasValueSatisfying(m -> {
        assertThat(m.tool()).isEqualTo(MigrationTool.FLYWAY);
        assertThat(m.pid()).isEqualTo(holderPid);
        assertThat(m.since()).isNotNull();
        assertThat(m.evidence()).isEqualTo("advisory lock " + key + " held");
      });
      assertThat(report.problems()).isEmpty();
      assertThat(report.pending()).isEqualTo(1);
    }
    assertThat(project.read().inProgress()).isEmpty();
  }

  @Test
  void seesARealMigrateUnderFlywaysTransactionalLock() throws Exception {
    project.table("Deploy History").migrate();
    project.write("V2__slow.sql", "SELECT pg_advisory_xact_lock_shared(" + GATE + ");\n")
        .write("V3__add_email.sql", "ALTER TABLE account ADD COLUMN email text;\n");
    AtomicReference<HistoryReport> seen = new AtomicReference<>();
    CompletableFuture<Void> migrate;
    try (Connection gate = pg.connect()) {
      try (PreparedStatement lock = gate.prepareStatement("SELECT pg_advisory_lock(?)")) {
        lock.setLong(1, GATE);
        lock.execute();
      }
      migrate = CompletableFuture.runAsync(project::migrateWithTransactionalLock);

      await().atMost(Duration.ofSeconds(20)).until(() -> {
        HistoryReport report = project.read();
        seen.set(report);
        return report.inProgress().isPresent();
      });
      int migratingPid = waitingPid(gate);
      long key = AdvisoryLockKeys.flyway(project.schema(), "Deploy History");

      HistoryReport report = seen.get();
      // Flyway holds its lock on its main connection and runs the SQL on a second one (two
      // backends, checked with 13.12): pgvigil reports the lock holder.
      assertThat(report.inProgress().orElseThrow().pid()).isEqualTo(lockHolder(gate, key)).isNotEqualTo(migratingPid);
      assertThat(report.problems()).isEmpty();
      assertThat(report.pending()).isEqualTo(2);
    }
    migrate.get(20, TimeUnit.SECONDS); // closing the gate session released the lock
    HistoryReport after = project.read();
    assertThat(after.inProgress()).isEmpty();
    assertThat(after.problems()).isEmpty();
    assertThat(after.applied()).isEqualTo(3);
  }

  private static int pid(Connection connection) throws Exception {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private static int lockHolder(Connection connection, long key) throws Exception {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            + " AND classid::int8 = ? AND objid::int8 = ?")) {
      statement.setLong(1, key >>> 32);
      statement.setLong(2, key & 0xFFFFFFFFL);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  /** The backend of the migration, waiting on the gate. */
  private static int waitingPid(Connection connection) throws Exception {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ?")) {
      statement.setLong(1, GATE);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }
}
