package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationInProgress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** The drift document of {@code GET /api/v1/targets/{name}/drift} and {@code drift --format json}, as in the README. */
public final class DriftJson {

  private DriftJson() {}

  public static JsonObject report(DriftReport report) {
    JsonObject json = new JsonObject().put("target", report.target()).put("status", report.status().label())
        .put("checkedAt", report.checkedAt().toString());
    report.history().ifPresent(h -> json.put("history", history(h)));
    report.structure().ifPresent(s -> json.put("structure", structure(s)));
    report.structurePaused().ifPresent(reason -> json.put("structurePaused", reason));
    report.error().ifPresent(e -> json.put("error", e));
    return json;
  }

  private static JsonObject history(HistoryReport h) {
    return new JsonObject().put("tool", h.tool().label()).put("table", h.historyTable())
        .put("applied", h.applied()).put("pending", h.pending())
        .put("inProgress", h.inProgress().map(DriftJson::inProgress).orElse(null))
        .put("filesBehind", new JsonArray(h.filesBehind()))
        .put("problems", new JsonArray(h.problems().stream().map(p -> new JsonObject()
            .put("kind", p.kind().label()).put("version", p.version()).put("description", p.description())
            .put("script", p.script()).put("detail", p.detail())).toList()));
  }

  private static JsonObject structure(StructuralReport s) {
    return new JsonObject().put("checkedAt", s.checkedAt().toString()).put("expectedFrom", s.expectedFrom())
        .put("cached", s.cached()).put("stale", s.stale()).put("objects", s.objects())
        .put("findings", new JsonArray(s.findings().stream().map(f -> new JsonObject()
            .put("kind", f.object().kind().yamlName()).put("object", f.object().qualifiedName())
            .put("change", f.change().name().toLowerCase(Locale.ROOT))
            .put("severity", f.severity().name().toLowerCase(Locale.ROOT))
            .put("expected", f.expected()).put("actual", f.actual()).put("detail", f.detail())
            .put("suggestedSql", f.suggestedSql().orElse(null))
            .put("manualFix", f.manualFix().orElse(null))).toList()));
  }

  private static JsonObject inProgress(MigrationInProgress m) {
    return new JsonObject().put("tool", m.tool().label()).put("pid", m.pid())
        .put("since", m.since() == null ? null : m.since().toString()).put("evidence", m.evidence());
  }
}
