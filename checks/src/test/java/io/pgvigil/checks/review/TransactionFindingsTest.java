package io.pgvigil.checks.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.locks.Command;
import io.pgvigil.checks.shadow.SqlScript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What PostgreSQL refuses in a transaction block, and how the tool's decision becomes a finding. */
class TransactionFindingsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "REINDEX TABLE CONCURRENTLY orders | true",
      "REINDEX (VERBOSE, CONCURRENTLY) INDEX orders_pkey | true",
      "REINDEX SCHEMA public | true",
      "REINDEX DATABASE app | true",
      "REINDEX SYSTEM app | true",
      "REINDEX TABLE orders | false",
      "REINDEX INDEX orders_pkey | false",
      "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a) | true",
      "DROP INDEX CONCURRENTLY i | true",
      "REFRESH MATERIALIZED VIEW CONCURRENTLY v | false",
      "VACUUM (ANALYZE) orders | true",
      "CREATE INDEX i ON t (a) | false",
      "ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY | true",
      "ALTER TABLE events DETACH PARTITION events_2025 | false",
      "ALTER TABLE events DETACH PARTITION events_2025 FINALIZE | false"})
  void knowsWhatPostgresqlRefusesInATransactionBlock(String sql, boolean refused) {
    assertThat(TransactionFindings.needsOwnTransaction(Command.of(sql), sql)).isEqualTo(refused);
  }

  @Test
  void aRefusalSitsAtTheStatementFlywayNamesOrElseOnTheFile() {
    String sql = "CREATE TABLE audit (id bigint);\n\nCREATE INDEX CONCURRENTLY i ON audit (id);\n";
    var parts = SqlScript.parse(sql).parts();
    PendingMigration named = new PendingMigration("V2__x.sql", sql, MigrationTool.FLYWAY, new TransactionPlan.Refused(
        "Flyway refuses to run it: Detected both ... Offending statement found at line 3: CREATE INDEX ..."));
    PendingMigration unnamed = new PendingMigration("V2__x.sql", sql, MigrationTool.FLYWAY,
        new TransactionPlan.Refused("Flyway refuses to run it: something else"));

    Finding at = TransactionFindings.refused(named, parts);
    Finding file = TransactionFindings.refused(unnamed, parts);

    assertThat(at.hazard()).isEqualTo(Hazard.MIGRATION_FAILS);
    assertThat(at.statement()).isEqualTo(2);
    assertThat(at.line()).isEqualTo(3);
    assertThat(file.statement()).isZero();
    assertThat(file.message()).isEqualTo("Flyway refuses to run it: something else");
  }

  @Test
  void explainsA25001OnlyWhenFlywayPutTheStatementInATransaction() {
    Command reindex = Command.of("REINDEX TABLE CONCURRENTLY orders");
    String server = "REINDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)";
    PendingMigration inOne = new PendingMigration("V2__x.sql", "", MigrationTool.FLYWAY,
        new TransactionPlan.OneTransaction("Flyway runs it in one transaction (why)"));
    PendingMigration prisma = new PendingMigration("m/migration.sql", "", MigrationTool.PRISMA);

    assertThat(TransactionFindings.failure(inOne, reindex, "25001", server)).startsWith(
        "Flyway runs it in one transaction (why), where PostgreSQL refuses REINDEX TABLE CONCURRENTLY: " + server)
        .endsWith("executeInTransaction=false");
    assertThat(TransactionFindings.failure(prisma, reindex, "25001", server)).isEqualTo(server);
    assertThat(TransactionFindings.failure(inOne, reindex, "42P01", "nope")).isEqualTo("nope");
  }
}
