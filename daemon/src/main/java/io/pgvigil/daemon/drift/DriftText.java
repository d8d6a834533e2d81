package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryReport;
import java.io.PrintWriter;
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
        s.findings().isEmpty() ? "matches the history" : plural(s.findings().size(), "difference"),
        s.objects(), s.expectedFrom(), s.cached() ? ", cached" : "");
    if (s.stale()) {
      out.println("  (kept from the last check)");
    }
    if (s.findings().isEmpty()) {
      return;
    }
    table(new String[] {"SEVERITY", "CHANGE", "KIND", "OBJECT", "DETAIL"}, s.findings().stream()
        .map(f -> new String[] {f.severity().name().toLowerCase(Locale.ROOT),
            f.change().name().toLowerCase(Locale.ROOT), f.object().kind().yamlName(), f.object().qualifiedName(),
            f.detail()})
        .toList(), out);
    s.findings().forEach(f -> f.suggestedSql().or(f::manualFix).ifPresent(
        text -> fix(f.object().qualifiedName(), text, out)));
  }

  /** One line when the fix is one; else its lines indented under the object, so they stand apart from the table. */
  static void fix(String object, String sql, PrintWriter out) {
    if (sql.indexOf('\n') < 0) {
      out.printf("  fix %s: %s%n", object, sql);
      return;
    }
    out.printf("  fix %s:%n", object);
    sql.lines().forEach(line -> out.printf("      %s%n", line));
  }

  private static void history(DriftReport report, HistoryReport h, PrintWriter out) {
    out.printf("%s: %s (%s history in %s: %d applied, %d pending)%n", report.target(),
        headline(report, h), h.tool().label(), h.historyTable(), h.applied(), h.pending());
    h.inProgress().ifPresent(m -> out.printf("  migration in progress: %s, pid %s%s (%s)%n",
        m.tool().label(), m.pid(), m.since() == null ? "" : ", since " + m.since(), m.evidence()));
    if (h.filesAreBehind()) {
      out.printf("  migration files are behind the database: %s not in the files (%s)%n",
          plural(h.filesBehind().size(), "applied migration"), String.join(", ", h.filesBehind()));
    }
    if (!h.problems().isEmpty()) {
      table(new String[] {"PROBLEM", "VERSION", "SCRIPT", "DETAIL"}, h.problems().stream()
          .map(p -> new String[] {p.kind().label(), orDash(p.version()), orDash(p.script()),
              orDash(p.detail())})
          .toList(), out);
    }
  }

  private static String headline(DriftReport report, HistoryReport h) {
    return switch (report.status()) {
      case CLEAN -> "no drift";
      case IN_PROGRESS -> "no drift (a migration is running)";
      // Exit 0 (not drift), but nothing structural was compared: the first words say so.
      case FILES_BEHIND -> "schema NOT compared, the migration files are behind the database; history: no drift";
      case DRIFT -> h.problems().isEmpty() ? "schema drift" : plural(h.problems().size(), "history problem");
      case ERROR -> "error";
    };
  }

  /** Left-aligned columns, the last one unpadded. */
  private static void table(String[] headers, List<String[]> rows, PrintWriter out) {
    StringBuilder format = new StringBuilder(" ");
    for (int c = 0; c < headers.length - 1; c++) {
      int column = c;
      int width = Math.max(headers[c].length(), rows.stream().mapToInt(row -> row[column].length()).max().orElse(0));
      format.append(" %-").append(width).append("s ");
    }
    format.append(" %s%n");
    out.printf(format.toString(), (Object[]) headers);
    rows.forEach(row -> out.printf(format.toString(), (Object[]) row));
  }

  public static String plural(long count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }

  public static String orDash(String value) {
    return value == null ? "-" : value;
  }
}
