package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Level;
import io.pgvigil.checks.review.Rule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;

/**
 * {@code review --format sarif}: SARIF 2.1.0, one run, every rule described, one result per finding (level error for
 * block, warning for flag) at the migration file and the line its statement starts on. A target that could not be
 * reviewed is a tool execution notification and makes the invocation unsuccessful.
 */
public final class ReviewSarif {

  private static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private ReviewSarif() {}

  public static JsonObject of(List<TargetReview> reviews, String version) {
    JsonArray rules = new JsonArray(Arrays.stream(Rule.values()).map(rule -> new JsonObject().put("id", rule.id())
        .put("shortDescription", new JsonObject().put("text", rule.summary()))
        .put("help", new JsonObject().put("text", rule.fix()))
        .put("defaultConfiguration", new JsonObject().put("level", level(rule.level())))).toList());
    JsonArray notifications = new JsonArray(reviews.stream().filter(r -> r.error().isPresent())
        .map(r -> new JsonObject().put("level", "error")
            .put("message", new JsonObject().put("text", r.target() + ": " + r.error().get()))).toList());
    JsonArray results = new JsonArray(reviews.stream().flatMap(r -> r.findings().stream()).map(ReviewSarif::result)
        .toList());
    JsonObject driver = new JsonObject().put("name", "pgvigil").put("version", version).put("rules", rules);
    JsonObject run = new JsonObject().put("tool", new JsonObject().put("driver", driver))
        .put("invocations", new JsonArray().add(new JsonObject().put("executionSuccessful", notifications.isEmpty())
            .put("toolExecutionNotifications", notifications)))
        .put("results", results);
    return new JsonObject().put("$schema", SCHEMA).put("version", "2.1.0").put("runs", new JsonArray().add(run));
  }

  private static JsonObject result(Finding f) {
    JsonObject physical = new JsonObject().put("artifactLocation", new JsonObject().put("uri", f.file()));
    if (f.line() > 0) {
      physical.put("region", new JsonObject().put("startLine", f.line()));
    }
    String text = f.message() + (f.object() == null ? "" : " [" + f.object() + "]") + ". Fix: " + f.fix();
    return new JsonObject().put("ruleId", f.rule().id()).put("ruleIndex", f.rule().ordinal())
        .put("level", level(f.level())).put("message", new JsonObject().put("text", text))
        .put("locations", new JsonArray().add(new JsonObject().put("physicalLocation", physical)));
  }

  private static String level(Level level) {
    return level == Level.BLOCK ? "error" : "warning";
  }
}
