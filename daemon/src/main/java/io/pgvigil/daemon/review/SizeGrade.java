package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Hazard;
import io.pgvigil.checks.review.Level;
import io.pgvigil.daemon.config.ReviewConfig;
import io.pgvigil.daemon.config.Unit;
import java.util.Locale;
import java.util.Set;

/**
 * Grades a finding by the live size of its table: a block whose table is under both budgets ({@code rewriteBytes},
 * and {@code lockedSeconds} for the estimated copy or scan at the configured throughput) becomes a flag; over
 * either, it stays a block and says which size decided. Only blocks are graded: a flag (no lock_timeout, a drop) is
 * about something other than the table's size, and size never raises it. A failure is a failure at any size.
 */
final class SizeGrade {

  /** Not a matter of size: a failure, rows emptied (data gone at any size), the migration's own shape. */
  private static final Set<Hazard> UNGRADED =
      Set.of(Hazard.MIGRATION_FAILS, Hazard.TRUNCATE, Hazard.TRANSACTION_CONTROL, Hazard.INVALID_SUPPRESSION);

  private SizeGrade() {}

  /**
   * {@code created}: the table is one an earlier pending migration creates, so live cannot have it. A table live
   * does not have under the name otherwise (a name the review could not map to live's) keeps its level: a block is
   * never lowered on a size the review did not read.
   */
  static Finding grade(Finding finding, LiveReport.TableSize size, boolean created, ReviewConfig config) {
    if (finding.table() == null || size == null || finding.level() != Level.BLOCK
        || UNGRADED.contains(finding.hazard())) {
      return finding;
    }
    if (size.notRead() != null) {
      return finding.graded(finding.level(), finding.message() + " (size not read: " + size.notRead() + ")");
    }
    if (!size.present()) {
      return created
          ? finding.graded(Level.FLAG, finding.message() + " (" + size.table() + " is not on the live database: a "
              + "pending migration creates it, so it holds only what the migrations put there)")
          : finding.graded(finding.level(), finding.message() + " (size not read: " + size.table()
              + " is not on the live database under this name)");
    }
    double seconds = seconds(size.bytes(), config.throughput());
    double budget = config.lockedSeconds().toMillis() / 1000.0;
    String estimate = estimate(size, config.throughput());
    boolean tooBig = size.bytes() > config.rewriteBytes();
    boolean tooLong = seconds > budget;
    if (!tooBig && !tooLong) {
      return finding.graded(Level.FLAG, finding.message() + " (" + estimate + ": below the budgets rewriteBytes "
          + Unit.BYTES.format(config.rewriteBytes()) + " and lockedSeconds " + Unit.SECONDS.format(budget) + ")");
    }
    String decided = (tooBig ? Unit.BYTES.format(size.bytes()) + " > rewriteBytes "
        + Unit.BYTES.format(config.rewriteBytes()) : "")
        + (tooBig && tooLong ? " and " : "")
        + (tooLong ? "≈ " + Unit.SECONDS.format(seconds) + " > lockedSeconds " + Unit.SECONDS.format(budget) : "");
    return finding.graded(Level.BLOCK, finding.message() + " (" + estimate + ": " + decided + ")");
  }

  static double seconds(long bytes, long throughput) {
    return (double) bytes / throughput;
  }

  /** {@code public.t: 8KiB, ≈ 10 rows, ≈ 0.1s at 50MiB/s}. */
  static String estimate(LiveReport.TableSize size, long throughput) {
    double seconds = seconds(size.bytes(), throughput);
    return size.table() + ": " + Unit.BYTES.format(size.bytes()) + ", " + rows(size) + ", ≈ "
        + (seconds < 0.1 ? "0.1s or less" : Unit.SECONDS.format(seconds)) + " at "
        + Unit.BYTES.format(throughput) + "/s";
  }

  /** {@code ≈ 12,345 rows}; PostgreSQL 14+ says -1 for a table never analyzed (or vacuumed). */
  static String rows(LiveReport.TableSize size) {
    if (size.rows() < 0) {
      return "rows not estimated (never analyzed)";
    }
    return "≈ " + String.format(Locale.ROOT, "%,d", Math.round(size.rows())) + " rows";
  }
}
