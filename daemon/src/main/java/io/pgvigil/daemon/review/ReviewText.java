package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Level;
import io.pgvigil.checks.review.MigrationReview;
import java.io.PrintWriter;
import java.util.List;

/** {@code review --format text}: per target, a table per pending migration, then one summary line. */
public final class ReviewText {

  private ReviewText() {}

  public static void print(List<TargetReview> reviews, Level failOn, boolean passed, PrintWriter out) {
    for (TargetReview r : reviews) {
      if (r.error().isPresent()) {
        out.println(r.target() + ": ERROR " + r.error().get());
        continue;
      }
      int count = r.migrations().size();
      out.println(r.target() + ": " + count + " pending migration" + (count == 1 ? "" : "s") + ", "
          + counts(r.count(Level.BLOCK), r.count(Level.FLAG)) + (r.shadow().isEmpty() ? "" : " (" + r.shadow() + ")"));
      for (MigrationReview m : r.migrations()) {
        print(m, out);
      }
    }
    long blocks = reviews.stream().mapToLong(r -> r.count(Level.BLOCK)).sum();
    long flags = reviews.stream().mapToLong(r -> r.count(Level.FLAG)).sum();
    long errors = reviews.stream().filter(r -> r.error().isPresent()).count();
    int migrations = reviews.stream().mapToInt(r -> r.migrations().size()).sum();
    out.println("review: " + migrations + " pending migration" + (migrations == 1 ? "" : "s") + ", "
        + counts(blocks, flags) + (errors == 0 ? "" : ", " + errors + " target" + (errors == 1 ? "" : "s")
        + " not reviewed") + ": " + (errors > 0 ? "ERROR" : passed ? "PASS" : "FAIL") + " (--fail-on "
        + failOn.label() + ")");
  }

  private static void print(MigrationReview m, PrintWriter out) {
    if (!m.reviewed()) {
      out.println("  " + m.file() + ": " + String.join("; ", m.notes()));
      return;
    }
    if (m.findings().isEmpty()) {
      out.println("  " + m.file() + ": no findings");
      return;
    }
    out.println("  " + m.file());
    List<Finding> findings = m.findings();
    int rule = Math.max(4, findings.stream().mapToInt(f -> f.hazard().id().length()).max().orElse(0));
    int object = Math.max(6, findings.stream().mapToInt(f -> text(f.object()).length()).max().orElse(0));
    int lock = Math.max(4, findings.stream().mapToInt(f -> text(f.lockMode()).length()).max().orElse(0));
    String format = "    %-5s  %-" + rule + "s  %4s  %4s  %-" + object + "s  %-" + lock + "s  %s%n";
    out.printf(format, "LEVEL", "RULE", "STMT", "LINE", "OBJECT", "LOCK", "WHAT HAPPENS");
    for (Finding f : findings) {
      out.printf(format, f.level().label(), f.hazard().id(), f.statement() == 0 ? "-" : f.statement(),
          f.line() == 0 ? "-" : f.line(), text(f.object()), text(f.lockMode()), f.message());
      out.println("           fix: " + f.fix());
    }
    m.notes().forEach(n -> out.println("    note: " + n));
  }

  static String counts(long blocks, long flags) {
    return blocks + " block" + (blocks == 1 ? "" : "s") + ", " + flags + " flag" + (flags == 1 ? "" : "s");
  }

  private static String text(String value) {
    return value == null ? "-" : value;
  }
}
