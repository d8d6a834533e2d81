package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationInProgress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * The drift document, the same in {@code GET /api/v1/targets/{name}/drift}
 * and {@code pgvigil drift --format json} (documented in the README).
 */
public final class DriftJson {

  private DriftJson() {}

  public static JsonObject report(DriftReport report) {
    JsonObject json = new JsonObject()
        .put("target", report.target())
        .put("status", report.status().label())
        .put("checkedAt", report.checkedAt().toString());
    report.history().ifPresent(h -> json.put("history", history(h)));
    report.structure().ifPresent(s -> json.put("structure", structure(s)));
    report.structurePaused().ifPresent(reason -> json.put("structurePaused", reason));
    report.error().ifPresent(e -> json.put("error", e));
    return json;
  }

  private static JsonObject history(HistoryReport h) {
    JsonArray problems = new JsonArray();
    h.problems().forEach(p -> problems.add(problem(p)));
    return new JsonObject()
        .put("tool", h.tool().label())
        .put("table", h.historyTable())
        .put("applied", h.applied())
        .put("pending", h.pending())
        .put("inProgress", h.inProgress().map(DriftJson::inProgress).orElse(null))
        .put("filesBehind", new JsonArray(h.filesBehind()))
        .put("problems", problems);
  }

  private static JsonObject structure(StructuralReport s) {
    JsonArray findings = new JsonArray();
    s.findings().forEach(f -> findings.add(new JsonObject()
        .put("kind", f.object().kind().yamlName())
        .put("object", f.object().qualifiedName())
        .put("change", f.change().name().toLowerCase(Locale.ROOT))
        .put("severity", f.severity().name().toLowerCase(Locale.ROOT))
        .put("expected", f.expected())
        .put("actual", f.actual())
        .put("detail", f.detail())
        .put("suggestedSql", f.suggestedSql().orElse(null))));
    return new JsonObject()
        .put("checkedAt", s.checkedAt().toString())
        .put("expectedFrom", s.expectedFrom())
        .put("cached", s.cached())
        .put("stale", s.stale())
        .put("objects", s.objects())
        .put("findings", findings);
  }

  private static JsonObject problem(HistoryProblem p) {
    return new JsonObject()
        .put("kind", p.kind().label())
        .put("version", p.version())
        .put("description", p.description())
        .put("script", p.script())
        .put("detail", p.detail());
  }

  private static JsonObject inProgress(MigrationInProgress m) {
    return new JsonObject()
        .put("tool", m.tool().label())
        .put("pid", m.pid())
        .put("since", m.since() == null ? null : m.since().toString())
        .put("evidence", m.evidence());
  }
}
