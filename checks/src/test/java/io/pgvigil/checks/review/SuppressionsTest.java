package io.pgvigil.checks.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.history.MigrationTool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which findings a file's -- pgvigil:ignore comments suppress, and which comments are themselves wrong. */
class SuppressionsTest {

  @Test
  void anIgnoreBeforeTheFirstStatementAlsoCoversTheFileAsAWhole() {
    String sql = "-- pgvigil:ignore migration-fails the shadow lacks the extension\nCREATE EXTENSION postgis;\n";
    MigrationReview review = apply(sql, finding(Hazard.MIGRATION_FAILS, 0), finding(Hazard.MIGRATION_FAILS, 1));

    assertThat(review.findings()).allMatch(Finding::suppressed)
        .allMatch(f -> f.suppression().equals("the shadow lacks the extension"));
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
