package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Level;
import io.pgvigil.checks.review.MigrationReview;
import java.io.PrintWriter;
import java.util.List;

/** {@code review --format markdown}: for a pull-request comment. */
public final class ReviewMarkdown {

  private ReviewMarkdown() {}

  public static void print(List<TargetReview> reviews, Level failOn, boolean passed, PrintWriter out) {
    long errors = reviews.stream().filter(r -> r.error().isPresent()).count();
    out.println("## pgvigil pre-flight review: " + (errors > 0 ? "error" : passed ? "pass" : "fail")
        + " (fail on " + failOn.label() + ")");
    for (TargetReview r : reviews) {
      out.println();
      out.println("### " + cell(r.target()));
      if (r.error().isPresent()) {
        out.println();
        out.println("**Not reviewed:** " + cell(r.error().get()));
        continue;
      }
      out.println();
      int count = r.migrations().size();
      out.println(count + " pending migration" + (count == 1 ? "" : "s") + ": "
          + ReviewText.counts(r.count(Level.BLOCK), r.count(Level.FLAG)) + "."
          + (r.shadow().isEmpty() ? "" : " " + capitalized(cell(r.shadow())) + "."));
      for (MigrationReview m : r.migrations()) {
        out.println();
        out.println("#### `" + m.file() + "`");
        out.println();
        if (!m.reviewed()) {
          out.println(cell(String.join("; ", m.notes())));
          continue;
        }
        if (m.findings().isEmpty()) {
          out.println("No findings.");
          continue;
        }
        out.println("| Level | Rule | Line | Object | Lock | What happens | Fix |");
        out.println("|---|---|---|---|---|---|---|");
        for (Finding f : m.findings()) {
          out.println("| " + (f.level() == Level.BLOCK ? "**block**" : "flag") + " | `" + f.hazard().id() + "` | "
              + (f.line() == 0 ? "" : f.line()) + " | " + code(f.object()) + " | " + cell(f.lockMode()) + " | "
              + cell(f.message()) + " | " + cell(f.fix()) + " |");
        }
      }
    }
  }

  private static String capitalized(String text) {
    return text.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + text.substring(1);
  }

  private static String code(String value) {
    return value == null ? "" : "`" + value.replace("`", "'") + "`";
  }

  /** Table cells: a pipe would end the cell, a newline the row. */
  private static String cell(String value) {
    return value == null ? "" : value.replace("|", "\\|").replaceAll("\\s*\\R\\s*", " ");
  }
}
