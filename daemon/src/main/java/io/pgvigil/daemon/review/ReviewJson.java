package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Hazard;
import io.pgvigil.checks.review.Level;
import io.pgvigil.checks.review.MigrationReview;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The review for machines: {@code --format json}, pgvigil's own document (documented in the README, "Pre-flight
 * review"; additive changes only), and {@code --format sarif}.
 */
public final class ReviewJson {

  private static final int VERSION = 1;
  private static final String SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private ReviewJson() {}

  public static JsonObject of(List<TargetReview> reviews, Level failOn, boolean passed) {
    return new JsonObject().put("version", VERSION).put("failOn", failOn.label()).put("passed", passed)
        .put("targets", new JsonArray(reviews.stream().map(ReviewJson::target).toList()));
  }

  private static JsonObject target(TargetReview r) {
    return new JsonObject().put("target", r.target()).put("tool", r.tool())
        .put("status", r.error().isPresent() ? "error" : r.findings().isEmpty() ? "clean" : "findings")
        .put("error", r.error().orElse(null)).put("applied", r.applied()).put("shadow", r.shadow())
        .put("offline", r.offline().map(OfflineReport::json).orElse(null))
        .put("blocks", r.count(Level.BLOCK)).put("flags", r.count(Level.FLAG))
        .put("suppressed", r.findings().stream().filter(Finding::suppressed).count())
        .put("migrations", new JsonArray(r.migrations().stream().map(ReviewJson::migration).toList()))
        .put("findings", new JsonArray(r.findings().stream().map(ReviewJson::finding).toList()))
        .put("live", LiveJson.of(r.live()));
  }

  private static JsonObject migration(MigrationReview m) {
    JsonArray statements = new JsonArray(m.statements().stream().map(s -> new JsonObject().put("number", s.number())
        .put("line", s.line()).put("command", s.command()).put("transactional", s.transactional())
        .put("locks", new JsonObject(new TreeMap<String, Object>(s.locks()))).put("lockTimeout", s.lockTimeout())
        .put("statementTimeout", s.statementTimeout())).toList());
    return new JsonObject().put("file", m.file()).put("reviewed", m.reviewed()).put("failed", m.failed())
        .put("findings", m.findings().size()).put("statements", statements).put("notes", new JsonArray(m.notes()));
  }

  private static JsonObject finding(Finding f) {
    return new JsonObject().put("rule", f.hazard().id()).put("level", f.level().label()).put("file", f.file())
        .put("statement", f.statement()).put("line", f.line()).put("table", f.table()).put("object", f.object())
        .put("lockMode", f.lockMode()).put("message", f.message()).put("fix", f.fix())
        .put("suppressed", f.suppression());
  }

  /**
   * SARIF 2.1.0: one run, every rule described, one result per finding (level error for block, warning for flag) at
   * the migration file and the line its statement starts on. A target that could not be reviewed is a tool execution
   * notification and makes the invocation unsuccessful; live questions not checked and what an offline review
   * skipped are notifications too ({@link SarifResults#notifications}).
   */
  public static JsonObject sarif(List<TargetReview> reviews, String version) {
    JsonArray rules = new JsonArray(Arrays.stream(Hazard.values()).map(rule -> new JsonObject().put("id", rule.id())
        .put("shortDescription", new JsonObject().put("text", rule.summary()))
        .put("help", new JsonObject().put("text", rule.fix()))
        .put("defaultConfiguration", new JsonObject().put("level", level(rule.level())))).toList());
    JsonArray notifications = new JsonArray(new ArrayList<>(reviews.stream().filter(r -> r.error().isPresent())
        .map(r -> new JsonObject().put("level", "error")
            .put("message", new JsonObject().put("text", r.target() + ": " + r.error().get())))
        .toList()));
    boolean successful = notifications.isEmpty();
    reviews.forEach(r -> SarifResults.notifications(r).forEach(notifications::add));
    JsonArray results = new JsonArray(reviews.stream().flatMap(r -> SarifResults.of(r).stream()).toList());
    JsonObject driver = new JsonObject().put("name", "pgvigil").put("version", version).put("rules", rules);
    JsonObject run = new JsonObject().put("tool", new JsonObject().put("driver", driver))
        .put("invocations", new JsonArray().add(new JsonObject().put("executionSuccessful", successful)
            .put("toolExecutionNotifications", notifications)))
        .put("originalUriBaseIds", SarifResults.uriBaseIds())
        .put("results", results);
    return new JsonObject().put("$schema", SARIF_SCHEMA).put("version", "2.1.0").put("runs", new JsonArray().add(run));
  }

  static String level(Level level) {
    return level == Level.BLOCK ? "error" : "warning";
  }
}
