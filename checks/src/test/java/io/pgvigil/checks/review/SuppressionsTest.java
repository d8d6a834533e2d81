package io.pgvigil.checks.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.history.MigrationTool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which findings a file's -- pgvigil:ignore comments suppress, and which comments are themselves wrong. */
class SuppressionsTest {

  @Test
  void anIgnoreBeforeTheFirstStatementAlsoCoversTheFileAsAWhole() {
    String sql =
        "-- pgvigil:ignore transaction-control the tool never runs it\nCREATE INDEX CONCURRENTLY i ON a (x);\n";
    MigrationReview review =
        apply(sql, finding(Hazard.TRANSACTION_CONTROL, 0), finding(Hazard.TRANSACTION_CONTROL, 1));

    assertThat(review.findings()).allMatch(Finding::suppressed)
        .allMatch(f -> f.suppression().equals("the tool never runs it"));
  }

  @Test
  void aFailingMigrationCannotBeIgnoredSoTheOnesAfterItNeverPassUnreviewed() {
    String sql = "-- pgvigil:ignore migration-fails the shadow lacks the extension\nCREATE EXTENSION postgis;\n";
    MigrationReview review = apply(sql, finding(Hazard.MIGRATION_FAILS, 1));

    assertThat(review.findings()).noneMatch(Finding::suppressed).extracting(Finding::hazard)
        .containsExactly(Hazard.MIGRATION_FAILS, Hazard.INVALID_SUPPRESSION);
    assertThat(review.findings().get(1).message()).contains("cannot ignore migration-fails");
  }

  @Test
  void anIgnoreAfterAStatementOnItsLineIsAFindingAndCoversNothing() {
    String sql = "TRUNCATE a; -- pgvigil:ignore truncate ok\nTRUNCATE b;\n";
    MigrationReview review = apply(sql, finding(Hazard.TRUNCATE, 1), finding(Hazard.TRUNCATE, 2));

    assertThat(review.findings()).noneMatch(Finding::suppressed).extracting(Finding::hazard)
        .containsExactly(Hazard.TRUNCATE, Hazard.TRUNCATE, Hazard.INVALID_SUPPRESSION);
    assertThat(review.findings().get(2).message()).contains("put it on its own line before the statement");
  }

  @Test
  void anIgnoreInAnotherCaseStillSuppresses() {
    String sql = "-- PGVIGIL:Ignore truncate small\nTRUNCATE a;\n";
    MigrationReview review = apply(sql, finding(Hazard.TRUNCATE, 1));

    assertThat(review.findings()).singleElement().satisfies(f -> assertThat(f.suppressed()).isTrue());
  }

  @Test
  void anIgnoreCoversOnlyItsRuleOnTheNextStatement() {
    String sql = "UPDATE a SET x = 1;\n-- pgvigil:ignore truncate small\nTRUNCATE a;\nTRUNCATE b;\n";
    MigrationReview review = apply(sql, finding(Hazard.TRUNCATE, 1), finding(Hazard.TRUNCATE, 2),
        finding(Hazard.UNBATCHED_BACKFILL, 2), finding(Hazard.TRUNCATE, 3));

    assertThat(review.findings()).extracting(Finding::suppressed).containsExactly(false, true, false, false);
  }

  @Test
  void textThatOnlyLooksLikeAnIgnoreIsNone() {
    String sql = "SELECT '-- pgvigil:ignore truncate in a string';\n/* pgvigil:ignore truncate in a block */\n"
        + "TRUNCATE a;\n";
    MigrationReview review = apply(sql, finding(Hazard.TRUNCATE, 2));

    assertThat(review.findings()).singleElement().satisfies(f -> assertThat(f.suppressed()).isFalse());
  }

  @Test
  void anIgnoreThatCannotApplyIsAFinding() {
    String sql = "TRUNCATE a;\n-- pgvigil:ignore invalid-suppression because\n-- pgvigil:ignore\n"
        + "TRUNCATE b;\n-- pgvigil:ignore truncate after everything\n";
    MigrationReview review = apply(sql);

    assertThat(review.findings()).extracting(Finding::hazard).containsOnly(Hazard.INVALID_SUPPRESSION);
    assertThat(review.findings()).extracting(Finding::line).containsExactly(2, 3, 5);
    assertThat(review.findings()).extracting(Finding::message).satisfiesExactly(
        m -> assertThat(m).contains("names no rule that can be ignored"),
        m -> assertThat(m).contains("names no rule:"),
        m -> assertThat(m).contains("after the last statement"));
  }

  private static MigrationReview apply(String sql, Finding... findings) {
    return Suppressions.apply(new PendingMigration("V2__x.sql", sql, MigrationTool.FLYWAY),
        new MigrationReview("V2__x.sql", true, List.of(), List.of(findings), List.of()));
  }

  private static Finding finding(Hazard hazard, int statement) {
    return new Finding(hazard, "V2__x.sql", statement, statement, "public.a", "public.a", null, "what happens");
  }
}
