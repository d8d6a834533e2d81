package io.pgvigil.daemon.http;

import io.pgvigil.daemon.config.Durations;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code GET/POST /api/v1/windows}, {@code DELETE /api/v1/windows/{id}}: {@code pgvigil window}. */
final class WindowRoutes {

  private static final Duration MAX_TTL = Duration.ofHours(24);
  private static final List<String> KEYS = List.of("target", "ttl", "label", "profile");
  private static final List<String> PROFILES = List.of("in-window", "always");
  private static final int MAX_LABEL = 200;
  private static final Map<String, String> EXAMPLES = Map.of("target", "\"app\"", "ttl", "\"30m\"",
      "label", "\"deploy 42\"", "profile", "\"in-window\"");

  private final Targets targets;
  private final WindowRegistry windows;

  WindowRoutes(Targets targets, WindowRegistry windows) {
    this.targets = targets;
    this.windows = windows;
  }

  void list(RoutingContext ctx) {
    ApiServer.json(ctx, 200, new JsonObject().put("windows", ApiJson.array(windows.all(), MigrationWindow::json)));
  }

  void open(RoutingContext ctx) {
    JsonObject body = JsonRequests.object(ctx,
        "{\"target\": \"app\", \"ttl\": \"30m\", \"label\": \"deploy 42\"}",
        "{\"target\": \"app\", \"ttl\": \"30m\"}");
    if (body == null) {
      return;
    }
    for (String key : body.fieldNames()) {
      if (!KEYS.contains(key)) {
        ApiServer.error(ctx, 400, "unknown field '" + key + "'; fields are target, ttl, label, profile");
        return;
      }
    }
    List<String> problems = new ArrayList<>();
    for (String key : KEYS) {
      Object value = body.getValue(key);
      if (value != null && !(value instanceof String)) {
        problems.add(
            "'" + key + "' must be a string such as " + EXAMPLES.get(key) + ", not "
                + JsonRequests.describe(value));
      }
    }
    if (body.getValue("label") instanceof String l && l.length() > MAX_LABEL) {
      problems.add("'label' must be at most " + MAX_LABEL + " characters, not " + l.length());
    }
    if (!problems.isEmpty()) {
      ApiServer.error(ctx, 400, String.join("; ", problems));
      return;
    }
    String target = body.getString("target");
    if (target == null || targets.find(target).isEmpty()) {
      ApiServer.error(ctx, target == null ? 400 : 404, target == null
          ? "'target' is required: the name of a configured target"
          : "no target named '" + target + "'");
      return;
    }
    Duration ttl;
    try {
      ttl = Durations.parse(field(body, "ttl", "30m"));
    } catch (RuntimeException e) {
      ApiServer.error(ctx, 400, "'ttl' must be a duration such as 30m: " + e.getMessage());
      return;
    }
    if (ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      ApiServer.error(ctx, 400, "'ttl' must be more than 0 and at most 24h");
      return;
    }
    String profile = field(body, "profile", "in-window");
    if (!PROFILES.contains(profile)) {
      ApiServer.error(ctx, 400, "'profile' must be one of " + String.join(", ", PROFILES));
      return;
    }
    String label = field(body, "label", "");
    ApiServer.json(ctx, 201, windows.open(target, ttl, label, profile).json());
  }

  /** The default also for JSON null: Vert.x 5's {@code getString(key, default)} gives null for it. */
  private static String field(JsonObject body, String key, String absent) {
    String value = body.getString(key);
    return value == null ? absent : value;
  }

  void close(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    windows.close(id, "closed").ifPresentOrElse(
        w -> ApiServer.json(ctx, 200, w.json()),
        () -> ApiServer.error(ctx, 404, "no open window with id '" + id + "'"));
  }
}
