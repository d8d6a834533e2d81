package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.schema.SchemaFinding;
import io.pgvigil.daemon.drift.DriftReport;
import io.pgvigil.daemon.drift.StructuralReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Drift as alerts, one per target and kind: {@code historyDrift} (history vs repository) and
 * {@code schemaDrift} (live schema vs replayed history), each resolved by a later clean check.
 * Not alerts, so pgvigil never cries wolf: a pending migration (a deploy not done yet), a
 * cosmetic-only difference, a failed check (an error, not a verdict), and a structural verdict
 * kept from before a migration started (the schema is in flux).
 */
final class DriftAlerts {

  static final String HISTORY = "historyDrift";
  static final String SCHEMA = "schemaDrift";
  private static final int LISTED = 5;

  private DriftAlerts() {}

  static void update(Alerting alerting, DriftReport report) {
    if (report.error().isPresent()) {
      return;
    }
    report.history().ifPresent(h -> history(alerting, report.target(), h));
    report.structure().filter(s -> !s.stale()).ifPresent(s -> structure(alerting, report.target(), s));
  }

  private static void history(Alerting alerting, String target, HistoryReport h) {
    List<HistoryProblem> problems = h.problems().stream().filter(p -> p.kind() != HistoryProblemKind.PENDING).toList();
    if (problems.isEmpty()) {
      alerting.resolve(Alert.keyOf(target, HISTORY, ""));
      return;
    }
    Map<String, String> details = new LinkedHashMap<>();
    details.put("historyTable", h.historyTable());
    for (HistoryProblem p : problems) {
      details.merge(p.kind().label(), name(p), (a, b) -> a + ", " + b);
    }
    String counts = problems.stream()
        .collect(Collectors.groupingBy(p -> p.kind().label(), LinkedHashMap::new, Collectors.counting()))
        .entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    alerting.fire(Alert.firing(target, HISTORY, "", AlertSeverity.DRIFT,
        "historyDrift on " + target + ": the migration history disagrees with the repository (" + counts
            + ")",
        Integer.toString(problems.size()), "0", List.of(), details, h.checkedAt()));
  }

  private static void structure(Alerting alerting, String target, StructuralReport s) {
    List<SchemaFinding> findings = s.findings().stream().filter(AlertSeverity::alerts).toList();
    if (findings.isEmpty()) {
      alerting.resolve(Alert.keyOf(target, SCHEMA, ""));
      return;
    }
    Map<String, String> details = new LinkedHashMap<>();
    details.put("expectedFrom", s.expectedFrom());
    findings.stream().collect(Collectors.groupingBy(SchemaFinding::severity, TreeMap::new, Collectors.counting()))
        .forEach((severity, n) -> details.put(severity.name().toLowerCase(Locale.ROOT), Long.toString(n)));
    String listed = findings.stream().limit(LISTED)
        .map(f -> f.change().name().toLowerCase(Locale.ROOT) + " " + f.object())
        .collect(Collectors.joining(", ")) + (findings.size() > LISTED ? ", …" : "");
    details.put("objects", listed);
    alerting.fire(Alert.firing(target, SCHEMA, "", AlertSeverity.DRIFT,
        "schemaDrift on " + target + ": " + findings.size() + " object(s) differ from the migration history ("
            + listed + ")",
        Integer.toString(findings.size()), "0", List.of(), details, s.checkedAt()));
  }

  private static String name(HistoryProblem p) {
    return p.script() != null ? p.script() : p.version() != null ? p.version() : String.valueOf(p.description());
  }
}
