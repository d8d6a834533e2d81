package io.pgvigil.daemon.http;

import io.pgvigil.alerts.Silence;
import io.pgvigil.daemon.alerting.Silences;
import io.pgvigil.daemon.config.Durations;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code GET/POST /api/v1/silences}, {@code DELETE /api/v1/silences/{id}}: {@code pgvigil silence}. */
final class SilenceRoutes {

  static final Duration MAX_TTL = Duration.ofDays(30);
  private static final List<String> KEYS =
      List.of("matchers", "ttl", "endsAt", "comment", "createdBy");
  private static final List<String> MATCHERS = List.of("target", "rule", "object");
  private static final int MAX_MATCHER = 200;
  private static final int MAX_COMMENT = 500;
  private static final int MAX_CREATED_BY = 100;
  private static final Map<String, String> EXAMPLES =
      Map.of("ttl", "\"2h\"", "endsAt", "\"2026-12-02T08:00:00Z\"",
          "comment", "\"deploy 42 rebuilds orders\"", "createdBy", "\"alice\"", "target", "\"app\"",
          "rule", "\"lockWait\"", "object", "\"public.orders\"");
  private static final String EXAMPLE =
      "{\"matchers\": {\"target\": \"app\", \"rule\": \"lockWait\"}, "
          + "\"ttl\": \"2h\", \"comment\": \"deploy 42\"}";

  private final Targets targets;
  private final Silences silences;

  SilenceRoutes(Targets targets, Silences silences) {
    this.targets = targets;
    this.silences = silences;
  }

  void list(RoutingContext ctx) {
    Instant now = silences.now();
    ApiServer.json(ctx, 200,
        new JsonObject().put("silences", ApiJson.array(silences.all(), s -> json(s, now))));
  }

  void add(RoutingContext ctx) {
    JsonObject body = JsonRequests.object(ctx, EXAMPLE, EXAMPLE);
    if (body == null) {
      return;
    }
    for (String key : body.fieldNames()) {
      if (!KEYS.contains(key)) {
        ApiServer.error(ctx, 400,
            "unknown field '" + key + "'; fields are " + String.join(", ", KEYS));
        return;
      }
    }
    List<String> problems = new ArrayList<>();
    JsonObject matchers = matchers(body.getValue("matchers"), problems);
    for (String key : List.of("ttl", "endsAt", "comment", "createdBy")) {
      string(key, body.getValue(key), problems);
    }
    Instant now = silences.now();
    Instant endsAt = endsAt(body, now, problems);
    Object given = body.getValue("comment");
    String comment = given instanceof String text ? text.strip() : null;
    if (given == null || comment != null && comment.isEmpty()) {
      problems.add(
          "'comment' is required: why the alerts are silenced, such as " + EXAMPLES.get("comment"));
    } else if (comment != null && comment.length() > MAX_COMMENT) {
      problems.add("'comment' must be at most " + MAX_COMMENT + " characters, not "
          + comment.length());
    }
    if (body.getValue("createdBy") instanceof String c && c.length() > MAX_CREATED_BY) {
      problems.add("'createdBy' must be at most " + MAX_CREATED_BY + " characters, not "
          + c.length());
    }
    if (!problems.isEmpty()) {
      ApiServer.error(ctx, 400, String.join("; ", problems));
      return;
    }
    String target = matchers.getString("target");
    // A target without '*' names one target: a typo would silence nothing, so it is refused.
    if (target != null && !target.contains("*") && targets.find(target).isEmpty()) {
      ApiServer.error(ctx, 404, "no target named '" + target + "'");
      return;
    }
    Silence s = silences.add(target, matchers.getString("rule"), matchers.getString("object"),
        endsAt, comment, body.getString("createdBy"));
    ApiServer.json(ctx, 201, json(s, now));
  }

  /** The matchers given, each a string (absent or null: any); problems are added to {@code problems}. */
  private static JsonObject matchers(Object value, List<String> problems) {
    if (!(value instanceof JsonObject given)) {
      problems.add(value == null
          ? "'matchers' is required: at least one of target, rule, object, such as {\"target\": \"app\"}"
          : "'matchers' must be an object such as {\"target\": \"app\", \"rule\": \"lockWait\"}, not "
              + JsonRequests.describe(value));
      return new JsonObject();
    }
    JsonObject matchers = new JsonObject();
    for (String key : given.fieldNames()) {
      if (!MATCHERS.contains(key)) {
        problems.add("unknown matcher '" + key + "'; matchers are target, rule, object");
      }
    }
    for (String key : MATCHERS) {
      Object m = given.getValue(key);
      if (m == null) {
        continue;
      }
      if (!(m instanceof String text)) {
        problems.add("'matchers." + key + "' must be a string such as " + EXAMPLES.get(key)
            + ", not " + JsonRequests.describe(m));
      } else if (text.isEmpty()) {
        problems.add(
            "'matchers." + key + "' must not be empty (leave it out to match any " + key + ")");
      } else if (text.length() > MAX_MATCHER) {
        problems.add("'matchers." + key + "' must be at most " + MAX_MATCHER + " characters, not "
            + text.length());
      } else {
        matchers.put(key, text);
      }
    }
    if (matchers.isEmpty() && problems.isEmpty()) {
      problems.add(
          "'matchers' needs at least one of target, rule, object: a silence of everything is refused");
    }
    return matchers;
  }

  private static void string(String key, Object value, List<String> problems) {
    if (value != null && !(value instanceof String)) {
      problems.add("'" + key + "' must be a string such as " + EXAMPLES.get(key) + ", not "
          + JsonRequests.describe(value));
    }
  }

  /** From {@code ttl} or {@code endsAt}, exactly one of them, at most 30 days ahead. */
  private static Instant endsAt(JsonObject body, Instant now, List<String> problems) {
    Object ttl = body.getValue("ttl");
    Object endsAt = body.getValue("endsAt");
    if (ttl != null && endsAt != null) {
      problems.add("give 'ttl' or 'endsAt', not both");
      return null;
    }
    if (ttl == null && endsAt == null) {
      problems.add(
          "'ttl' (such as \"2h\") or 'endsAt' (an ISO-8601 time such as \"2026-12-02T08:00:00Z\") "
              + "is required");
      return null;
    }
    if (ttl instanceof String text) {
      Duration d;
      try {
        d = Durations.parse(text);
      } catch (RuntimeException e) {
        problems.add("'ttl' must be a duration such as 2h: " + e.getMessage());
        return null;
      }
      if (d.isZero() || d.compareTo(MAX_TTL) > 0) {
        problems.add("'ttl' must be more than 0 and at most 30d, not " + text);
        return null;
      }
      return now.plus(d);
    }
    if (endsAt instanceof String text) {
      Instant at;
      try {
        at = Instant.parse(text);
      } catch (DateTimeParseException e) {
        problems.add(
            "'endsAt' must be an ISO-8601 time with an offset, such as \"2026-12-02T08:00:00Z\", not '"
                + text + "'");
        return null;
      }
      if (!at.isAfter(now)) {
        problems.add("'endsAt' must be in the future (it is " + now + " now)");
      } else if (at.isAfter(now.plus(MAX_TTL))) {
        problems.add("'endsAt' must be at most 30 days ahead");
      }
      return at;
    }
    return null; // not a string: reported by the caller
  }

  void expire(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Instant now = silences.now();
    silences.expire(id).ifPresentOrElse(
        s -> ApiServer.json(ctx, 200, json(s, now)),
        () -> ApiServer.error(ctx, 404, "no active silence with id '" + id + "'"));
  }

  /** The API's shape of a silence (README, "Silences"). */
  static JsonObject json(Silence s, Instant now) {
    return new JsonObject().put("id", s.id())
        .put("matchers",
            new JsonObject().put("target", s.target()).put("rule", s.rule()).put("object",
                s.object()))
        .put("active", s.active(now)).put("startsAt", s.startsAt().toString())
        .put("endsAt", s.endsAt().toString())
        .put("comment", s.comment()).put("createdBy", s.createdBy());
  }
}
