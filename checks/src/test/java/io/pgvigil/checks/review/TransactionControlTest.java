package io.pgvigil.checks.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.shadow.SqlScript;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A migration's own BEGIN, COMMIT and ROLLBACK, judged by whether the tool runs it in a transaction. */
class TransactionControlTest {

  private static final TransactionPlan ONE = new TransactionPlan.OneTransaction("Flyway runs it in one transaction");
  private static final TransactionPlan NONE = new TransactionPlan.NoTransaction("executeInTransaction=false");

  @ParameterizedTest(name = "{0} / {1}")
  @CsvSource(delimiter = '|', value = {
      // one transaction: only an end with work on both sides splits it
      "one  | BEGIN; CREATE TABLE a (i int); COMMIT;                                     | ''",
      "one  | START TRANSACTION; CREATE TABLE a (i int); END;                            | ''",
      "one  | BEGIN; CREATE TABLE a (i int);                                             | ''",
      "one  | CREATE TABLE a (i int); COMMIT; CREATE TABLE b (i int);                    | 2 block",
      "one  | CREATE TABLE a (i int); ROLLBACK; CREATE TABLE b (i int);                  | 2 block",
      "one  | CREATE TABLE a (i int); ABORT; CREATE TABLE b (i int);                     | 2 block",
      "one  | COMMIT; CREATE TABLE a (i int);                                            | 1 block",
      "one  | CREATE TABLE a (i int); ROLLBACK;                                          | 2 block",
      "one  | BEGIN; CREATE TABLE a (i int); ROLLBACK;                                   | 3 block",
      "none | BEGIN; CREATE TABLE a (i int); ROLLBACK;                                   | 3 block",
      "none | CREATE TABLE a (i int); ROLLBACK;                                          | ''",
      "one  | SAVEPOINT s; CREATE TABLE a (i int); ROLLBACK TO s; CREATE TABLE b (i int); | ''",
      "one  | BEGIN; BEGIN; CREATE TABLE a (i int); COMMIT;                              | 2 flag",
      "none | BEGIN; CREATE TABLE a (i int); COMMIT; CREATE TABLE b (i int);             | ''",
      "none | CREATE TABLE a (i int); BEGIN; CREATE TABLE b (i int);                     | 2 block",
      "none | BEGIN; CREATE TABLE a (i int); BEGIN; CREATE TABLE b (i int); COMMIT;      | 3 flag"})
  void reportsOnlyWhatChangesTheOutcome(String plan, String sql, String expected) {
    PendingMigration migration = new PendingMigration("V2__x.sql", sql, MigrationTool.FLYWAY,
        plan.equals("one") ? ONE : NONE);
    List<Finding> findings = TransactionControl.findings(migration, SqlScript.parse(sql).parts());

    assertThat(findings).allMatch(f -> f.hazard() == Hazard.TRANSACTION_CONTROL);
    assertThat(String.join(", ", findings.stream().map(f -> f.statement() + " " + f.level().label()).toList()))
        .isEqualTo(expected);
  }
}
