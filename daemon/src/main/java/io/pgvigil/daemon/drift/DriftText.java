package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryReport;
import java.io.PrintWriter;
import java.util.List;

/** The {@code drift} command's readable output: one block per target, problems as a table. */
public final class DriftText {

  private DriftText() {}

  public static void print(DriftReport report, PrintWriter out) {
    if (report.error().isPresent()) {
      out.printf("%s: ERROR %s%n", report.target(), report.error().get());
      return;
    }
    HistoryReport h = report.history().orElseThrow();
    out.printf("%s: %s (%s history in %s: %d applied, %d pending)%n", report.target(),
        headline(report, h), h.tool().label(), h.historyTable(), h.applied(), h.pending());
    h.inProgress().ifPresent(m -> out.printf("  migration in progress: %s, pid %s%s (%s)%n",
        m.tool().label(), m.pid(), m.since() == null ? "" : ", since " + m.since(), m.evidence()));
    if (!h.problems().isEmpty()) {
      table(h.problems(), out);
    }
  }

  private static String headline(DriftReport report, HistoryReport h) {
    return switch (report.status()) {
      case CLEAN -> "no drift";
      case IN_PROGRESS -> "no drift (a migration is running)";
      case DRIFT -> h.problems().size() + (h.problems().size() == 1 ? " problem" : " problems");
      case ERROR -> "error";
    };
  }

  private static void table(List<HistoryProblem> problems, PrintWriter out) {
    String[] headers = {"PROBLEM", "VERSION", "SCRIPT", "DETAIL"};
    int[] widths = {headers[0].length(), headers[1].length(), headers[2].length()};
    for (HistoryProblem p : problems) {
      widths[0] = Math.max(widths[0], p.kind().label().length());
      widths[1] = Math.max(widths[1], text(p.version()).length());
      widths[2] = Math.max(widths[2], text(p.script()).length());
    }
    String format = "  %-" + widths[0] + "s  %-" + widths[1] + "s  %-" + widths[2] + "s  %s%n";
    out.printf(format, (Object[]) headers);
    for (HistoryProblem p : problems) {
      out.printf(format, p.kind().label(), text(p.version()), text(p.script()), text(p.detail()));
    }
  }

  private static String text(String value) {
    return value == null ? "-" : value;
  }
}
