package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Level;
import io.pgvigil.checks.review.MigrationReview;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.TreeMap;

/** {@code review --format json}; the shape is documented in the README ("Pre-flight review"). Additive changes only. */
public final class ReviewJson {

  private static final int VERSION = 1;

  private ReviewJson() {}

  public static JsonObject of(List<TargetReview> reviews, Level failOn, boolean passed) {
    return new JsonObject().put("version", VERSION).put("failOn", failOn.label()).put("passed", passed)
        .put("targets", new JsonArray(reviews.stream().map(ReviewJson::target).toList()));
  }

  private static JsonObject target(TargetReview r) {
    return new JsonObject().put("target", r.target()).put("tool", r.tool())
        .put("status", r.error().isPresent() ? "error" : r.findings().isEmpty() ? "clean" : "findings")
        .put("error", r.error().orElse(null)).put("applied", r.applied()).put("shadow", r.shadow())
        .put("blocks", r.count(Level.BLOCK)).put("flags", r.count(Level.FLAG))
        .put("migrations", new JsonArray(r.migrations().stream().map(ReviewJson::migration).toList()))
        .put("findings", new JsonArray(r.findings().stream().map(ReviewJson::finding).toList()));
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
    return new JsonObject().put("rule", f.rule().id()).put("level", f.level().label()).put("file", f.file())
        .put("statement", f.statement()).put("line", f.line()).put("object", f.object())
        .put("lockMode", f.lockMode()).put("message", f.message()).put("fix", f.fix());
  }
}
