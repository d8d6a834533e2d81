package io.pgvigil.daemon.review;

import static io.pgvigil.daemon.drift.DriftText.orDash;
import static io.pgvigil.daemon.drift.DriftText.plural;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Level;
import io.pgvigil.checks.review.MigrationReview;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The review for people: {@code --format text}, per target a table per pending migration, then one summary line;
 * {@code --format markdown}, the same for a pull-request comment.
 */
public final class ReviewText {

  private ReviewText() {}

  public static void print(List<TargetReview> reviews, Level failOn, boolean passed, PrintWriter out) {
    for (TargetReview r : reviews) {
      if (r.error().isPresent()) {
        out.println(r.target() + ": ERROR " + r.error().get());
        continue;
      }
      out.println(r.target() + ": " + plural(r.migrations().size(), "pending migration") + ", "
          + counts(r.count(Level.BLOCK), r.count(Level.FLAG)) + suppressed(List.of(r))
          + (r.shadow().isEmpty() ? "" : " (" + r.shadow() + ")"));
      r.offline().ifPresent(o -> o.lines().forEach(line -> out.println("  " + line)));
      r.migrations().forEach(m -> print(m, out));
      LiveText.print(r, out);
    }
    out.println(summary(reviews, failOn, passed));
  }

  /** The last line of the text and github formats. */
  static String summary(List<TargetReview> reviews, Level failOn, boolean passed) {
    long blocks = reviews.stream().mapToLong(r -> r.count(Level.BLOCK)).sum();
    long flags = reviews.stream().mapToLong(r -> r.count(Level.FLAG)).sum();
    long errors = reviews.stream().filter(r -> r.error().isPresent()).count();
    int migrations = reviews.stream().mapToInt(r -> r.migrations().size()).sum();
    return "review: " + plural(migrations, "pending migration") + ", " + counts(blocks, flags)
        + suppressed(reviews) + (errors == 0 ? "" : ", " + plural(errors, "target") + " not reviewed") + ": "
        + (errors > 0 ? "ERROR" : passed ? "PASS" : "FAIL") + " (--fail-on " + failOn.label() + ")";
  }

  /** ", 2 suppressed", or nothing when the files suppress nothing. */
  private static String suppressed(List<TargetReview> reviews) {
    long suppressed = reviews.stream().flatMap(r -> r.findings().stream()).filter(Finding::suppressed).count();
    return suppressed == 0 ? "" : ", " + suppressed + " suppressed";
  }

  private static void print(MigrationReview m, PrintWriter out) {
    if (!m.reviewed() || m.findings().isEmpty()) {
      out.println("  " + m.file() + ": " + (m.reviewed() ? "no findings" : String.join("; ", m.notes())));
      return;
    }
    out.println("  " + m.file());
    int rule = Math.max(4, m.findings().stream().mapToInt(f -> f.hazard().id().length()).max().orElse(0));
    int object = Math.max(6,
        m.findings().stream().mapToInt(f -> orDash(f.object()).length()).max().orElse(0));
    int lock = Math.max(4,
        m.findings().stream().mapToInt(f -> orDash(f.lockMode()).length()).max().orElse(0));
    String format = "    %-5s  %-" + rule + "s  %4s  %4s  %-" + object + "s  %-" + lock + "s  %s%n";
    out.printf(format, "LEVEL", "RULE", "STMT", "LINE", "OBJECT", "LOCK", "WHAT HAPPENS");
    for (Finding f : m.findings()) {
      out.printf(format, f.level().label(), f.hazard().id(), f.statement() == 0 ? "-" : f.statement(),
          f.line() == 0 ? "-" : f.line(), orDash(f.object()), orDash(f.lockMode()), f.message());
      out.println("           fix: " + f.fix());
      if (f.suppressed()) {
        out.println("           suppressed: " + f.suppression());
      }
    }
    m.notes().forEach(n -> out.println("    note: " + n));
  }

  public static void markdown(List<TargetReview> reviews, Level failOn, boolean passed, PrintWriter out) {
    long errors = reviews.stream().filter(r -> r.error().isPresent()).count();
    out.println("## pgvigil pre-flight review: " + (errors > 0 ? "error" : passed ? "pass" : "fail")
        + " (fail on " + failOn.label() + ")");
    for (TargetReview r : reviews) {
      out.println();
      out.println("### " + cell(r.target()));
      out.println();
      if (r.error().isPresent()) {
        out.println("**Not reviewed:** " + cell(r.error().get()));
        continue;
      }
      out.println(plural(r.migrations().size(), "pending migration") + ": "
          + counts(r.count(Level.BLOCK), r.count(Level.FLAG)) + suppressed(List.of(r)) + "."
          + (r.shadow().isEmpty() ? "" : " " + capitalized(cell(r.shadow())) + "."));
      r.offline().ifPresent(o -> o.lines().forEach(line -> out.println("\n" + capitalized(cell(line)) + ".")));
      LiveText.markdown(r, out);
      for (MigrationReview m : r.migrations()) {
        out.println();
        out.println("#### `" + m.file() + "`");
        out.println();
        if (!m.reviewed() || m.findings().isEmpty()) {
          out.println(m.reviewed() ? "No findings." : cell(String.join("; ", m.notes())));
          continue;
        }
        out.println("| Level | Rule | Line | Object | Lock | What happens | Fix |");
        out.println("|---|---|---|---|---|---|---|");
        for (Finding f : m.findings()) {
          String level = f.suppressed() ? "suppressed " + f.level().label()
              : f.level() == Level.BLOCK ? "**block**" : "flag";
          String what = f.message() + (f.suppressed() ? " (suppressed: " + f.suppression() + ")" : "");
          out.println("| " + level + " | `" + f.hazard().id() + "` | " + (f.line() == 0 ? "" : f.line()) + " | "
              + code(f.object()) + " | " + cell(f.lockMode()) + " | " + cell(what) + " | " + cell(f.fix()) + " |");
        }
      }
    }
  }

  private static String counts(long blocks, long flags) {
    return plural(blocks, "block") + ", " + plural(flags, "flag");
  }

  private static String capitalized(String text) {
    return text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
  }

  private static String code(String value) {
    return value == null ? "" : "`" + value.replace("`", "'") + "`";
  }

  /** Table cells: a pipe would end the cell, a newline the row. */
  private static String cell(String value) {
    return value == null ? "" : value.replace("|", "\\|").replaceAll("\\s*\\R\\s*", " ");
  }
}
