package io.pgvigil.daemon.review;

import java.io.PrintWriter;

/** The live evidence for people: one line per table size and per data question, under the target's migrations. */
final class LiveText {

  private LiveText() {}

  static void print(TargetReview review, PrintWriter out) {
    review.live().filter(r -> !r.tables().isEmpty()).ifPresent(r -> {
      out.println("  live data (read from " + r.readFrom() + "):");
      r.tables().forEach(t -> out.println("    size " + size(t, r)));
      r.probes().forEach(p -> out.println("    " + p.question().file() + " statement " + p.question().statement()
          + ": " + p.question().question() + " " + p.detail()));
    });
  }

  static void markdown(TargetReview review, PrintWriter out) {
    review.live().filter(r -> !r.tables().isEmpty()).ifPresent(r -> {
      out.println();
      out.println("Live data (read from " + r.readFrom() + "):");
      out.println();
      r.tables().forEach(t -> out.println("- size " + size(t, r)));
      r.probes().forEach(p -> out.println("- `" + p.question().file() + "` statement " + p.question().statement()
          + ": " + p.question().question().replace("|", "\\|") + " " + p.detail()));
    });
  }

  private static String size(LiveReport.TableSize t, LiveReport r) {
    return t.notRead() != null ? t.table() + ": size not read: " + t.notRead()
        : t.present() ? SizeGrade.estimate(t, r.config().throughput()) : t.table() + ": not on the live database";
  }
}
