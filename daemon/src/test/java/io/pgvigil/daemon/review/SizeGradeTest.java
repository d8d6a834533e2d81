package io.pgvigil.daemon.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Hazard;
import io.pgvigil.checks.review.Level;
import io.pgvigil.daemon.config.ReviewConfig;
import io.pgvigil.daemon.review.LiveReport.TableSize;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Grading by live size: a block under both budgets is a flag; over either, a block saying which size decided. */
class SizeGradeTest {

  private static final ReviewConfig BUDGETS = new ReviewConfig(Optional.empty(), Duration.ofSeconds(5),
      Duration.ofSeconds(2), 1L << 30, 100L << 20);

  private static Finding rewrite() {
    return new Finding(Hazard.TABLE_REWRITE, "V3__x.sql", 1, 2, "public.t", "public.t", "ACCESS EXCLUSIVE",
        "ALTER TABLE rewrites public.t");
  }

  @Test
  void aSmallTableIsAFlagWithItsEstimate() {
    Finding graded = SizeGrade.grade(rewrite(), new TableSize("public.t", true, 8192, 1, 10), false, BUDGETS);

    assertThat(graded.level()).isEqualTo(Level.FLAG);
    assertThat(graded.message()).isEqualTo("ALTER TABLE rewrites public.t (public.t: 8KiB, ≈ 10 rows, ≈ 0.1s or "
        + "less at 100MiB/s: below the budgets rewriteBytes 1GiB and lockedSeconds 2s)");
  }

  @Test
  void aTableOverTheBytesBudgetStaysABlockNamingTheSize() {
    Finding graded = SizeGrade.grade(rewrite(), new TableSize("public.t", true, 12L << 30, 1_500_000,
        123_456_789), false, BUDGETS);

    assertThat(graded.level()).isEqualTo(Level.BLOCK);
    assertThat(graded.message()).endsWith("(public.t: 12GiB, ≈ 123,456,789 rows, ≈ 122.9s at 100MiB/s: "
        + "12GiB > rewriteBytes 1GiB and ≈ 122.9s > lockedSeconds 2s)");
  }

  @Test
  void aTableUnderTheBytesBudgetThatTakesTooLongStaysABlock() {
    // 300 MiB at 100 MiB/s: 3 s > 2 s, though 300 MiB < 1 GiB.
    Finding graded =
        SizeGrade.grade(rewrite(), new TableSize("public.t", true, 300L << 20, 38_400, -1), false, BUDGETS);

    assertThat(graded.level()).isEqualTo(Level.BLOCK);
    assertThat(graded.message()).endsWith("(public.t: 300MiB, rows not estimated (never analyzed), ≈ 3s at "
        + "100MiB/s: ≈ 3s > lockedSeconds 2s)");
  }

  @Test
  void justUnderBothBudgetsIsAFlagAndJustOverIsABlock() {
    long limit = 200L << 20; // 2 s at 100 MiB/s
    assertThat(SizeGrade.grade(rewrite(), new TableSize("public.t", true, limit, 0, 0), false, BUDGETS).level())
        .isEqualTo(Level.FLAG);
    assertThat(SizeGrade.grade(rewrite(), new TableSize("public.t", true, limit + 1, 0, 0), false, BUDGETS).level())
        .isEqualTo(Level.BLOCK);
  }

  @Test
  void flagsFailuresAndFindingsWithoutATableAreLeftAlone() {
    TableSize huge = new TableSize("public.t", true, 1L << 40, 0, 0);
    Finding flag = new Finding(Hazard.DROP_OR_RENAME, "V3__x.sql", 1, 1, "public.t", "public.t", null, "drops");
    Finding fails = new Finding(Hazard.MIGRATION_FAILS, "V3__x.sql", 1, 1, "public.t", "public.t", null, "fails");
    Finding tiny = new Finding(Hazard.MIGRATION_FAILS, "V3__x.sql", 1, 1, "public.t", "public.t", null, "fails");

    assertThat(SizeGrade.grade(flag, huge, false, BUDGETS)).isEqualTo(flag);
    assertThat(SizeGrade.grade(tiny, new TableSize("public.t", true, 0, 0, 0), false, BUDGETS)).isEqualTo(tiny);
    assertThat(SizeGrade.grade(fails, huge, false, BUDGETS)).isEqualTo(fails);
  }

  @Test
  void aTableAPendingMigrationCreatesIsAFlag() {
    Finding graded = SizeGrade.grade(rewrite(), new TableSize("public.t", false, 0, 0, -1), true, BUDGETS);

    assertThat(graded.level()).isEqualTo(Level.FLAG);
    assertThat(graded.message()).contains("public.t is not on the live database");
  }

  @Test
  void aBlockWhoseSizeWasNotReadStaysABlockAndSaysWhy() {
    Finding missing = SizeGrade.grade(rewrite(), new TableSize("public.t", false, 0, 0, -1), false, BUDGETS);
    Finding locked = SizeGrade.grade(rewrite(), TableSize.notRead("public.t", "the lock on public.t was not "
        + "granted within 500ms"), false, BUDGETS);

    assertThat(missing.level()).isEqualTo(Level.BLOCK);
    assertThat(missing.message()).contains("size not read: public.t is not on the live database under this name");
    assertThat(locked.level()).isEqualTo(Level.BLOCK);
    assertThat(locked.message()).endsWith("(size not read: the lock on public.t was not granted within 500ms)");
  }

  @Test
  void showsTheMessageOnlyOfErrorsThatCannotQuoteARow() {
    assertThat(LiveProbes.safeMessage("55P03")).isTrue();
    assertThat(LiveProbes.safeMessage("42501")).isTrue();
    assertThat(LiveProbes.safeMessage("P0001")).isFalse();
    assertThat(LiveProbes.safeMessage("XX000")).isFalse();
    assertThat(LiveProbes.safeMessage("22P02")).isFalse();
    assertThat(LiveProbes.safeMessage("")).isFalse();
  }
}
