package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryReport;
import java.io.PrintWriter;
import io.pgvigil.checks.schema.SchemaFinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code drift} command's readable output: one block per target, problems as a table. */
public final class DriftText {

  private DriftText() {}

  public static void print(DriftReport report, PrintWriter out) {
    if (report.error().isPresent()) {
      out.printf("%s: ERROR %s%n", report.target(), report.error().get());
      report.history().ifPresent(h -> history(report, h, out));
      return;
    }
    history(report, report.history().orElseThrow(), out);
    report.structurePaused().ifPresent(reason -> out.printf("  schema: not compared: %s%n", reason));
    report.structure().ifPresent(s -> structure(s, out));
  }

  private static void structure(StructuralReport s, PrintWriter out) {
    out.printf("  schema: %s (%d objects; expected: %s%s)%n",
        s.findings().isEmpty() ? "matches the history" : s.findings().size()
            + (s.findings().size() == 1 ? " difference" : " differences"),
        s.objects(), s.expectedFrom(), s.cached() ? ", cached" : "");
    if (s.stale()) {
      out.println("  (kept from the last check)");
    }
    if (s.findings().isEmpty()) {
      return;
    }
    List<String[]> rows = new ArrayList<>();
    for (SchemaFinding f : s.findings()) {
      rows.add(new String[] {f.severity().name().toLowerCase(Locale.ROOT),
          f.change().name().toLowerCase(Locale.ROOT), f.object().kind().yamlName(),
          f.object().qualifiedName(), f.detail()});
    }
    table(new String[] {"SEVERITY", "CHANGE", "KIND", "OBJECT", "DETAIL"}, rows, out);
    for (SchemaFinding f : s.findings()) {
      f.suggestedSql().ifPresent(sql -> out.printf("  fix %s: %s%n", f.object().qualifiedName(), sql));
    }
  }

  private static void history(DriftReport report, HistoryReport h, PrintWriter out) {
    out.printf("%s: %s (%s history in %s: %d applied, %d pending)%n", report.target(),
        headline(report, h), h.tool().label(), h.historyTable(), h.applied(), h.pending());
    h.inProgress().ifPresent(m -> out.printf("  migration in progress: %s, pid %s%s (%s)%n",
        m.tool().label(), m.pid(), m.since() == null ? "" : ", since " + m.since(), m.evidence()));
    if (h.filesAreBehind()) {
      out.printf("  migration files are behind the database: %d applied migration%s not in the files (%s)%n",
          h.filesBehind().size(), h.filesBehind().size() == 1 ? "" : "s", String.join(", ", h.filesBehind()));
    }
    if (!h.problems().isEmpty()) {
      List<String[]> rows = new ArrayList<>();
      for (HistoryProblem p : h.problems()) {
        rows.add(new String[] {p.kind().label(), text(p.version()), text(p.script()), text(p.detail())});
      }
      table(new String[] {"PROBLEM", "VERSION", "SCRIPT", "DETAIL"}, rows, out);
    }
  }

  private static String headline(DriftReport report, HistoryReport h) {
    return switch (report.status()) {
      case CLEAN -> "no drift";
      case IN_PROGRESS -> "no drift (a migration is running)";
      // Exit 0 (not drift), but nothing structural was compared: the first words say so.
      case FILES_BEHIND -> "schema NOT compared, the migration files are behind the database; history: no drift";
      case DRIFT -> h.problems().isEmpty() ? "schema drift"
          : h.problems().size() + (h.problems().size() == 1 ? " history problem" : " history problems");
      case ERROR -> "error";
    };
  }

  /** Left-aligned columns, the last one unpadded. */
  private static void table(String[] headers, List<String[]> rows, PrintWriter out) {
    int[] widths = new int[headers.length - 1];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = headers[c].length();
      for (String[] row : rows) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    StringBuilder format = new StringBuilder(" ");
    for (int width : widths) {
      format.append(" %-").append(width).append("s ");
    }
    format.append(" %s%n");
    out.printf(format.toString(), (Object[]) headers);
    rows.forEach(row -> out.printf(format.toString(), (Object[]) row));
  }

  private static String text(String value) {
    return value == null ? "-" : value;
  }
}
