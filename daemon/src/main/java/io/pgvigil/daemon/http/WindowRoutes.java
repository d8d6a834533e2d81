package io.pgvigil.daemon.http;

import io.pgvigil.daemon.config.Durations;
import io.pgvigil.daemon.runtime.Daemon;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code GET/POST /api/v1/windows}, {@code DELETE /api/v1/windows/{id}}: migration
 * windows for CI pipelines ({@code pgvigil window open|close|list} calls these).
 */
final class WindowRoutes {

  static final Duration MAX_TTL = Duration.ofHours(24);
  private static final Set<String> KEYS = Set.of("target", "ttl", "label", "profile");
  private static final List<String> PROFILES = List.of("in-window", "always");

  private final Daemon daemon;
  private final WindowRegistry windows;

  WindowRoutes(Daemon daemon, WindowRegistry windows) {
    this.daemon = daemon;
    this.windows = windows;
  }

  void list(RoutingContext ctx) {
    JsonArray list = new JsonArray();
    windows.all().forEach(w -> list.add(json(w)));
    ApiServer.json(ctx, 200, new JsonObject().put("windows", list));
  }

  void open(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      ApiServer.error(ctx, 400, "the body must be a JSON object such as "
          + "{\"target\": \"app\", \"ttl\": \"30m\", \"label\": \"deploy 42\"}");
      return;
    }
    if (body == null) {
      ApiServer.error(ctx, 400, "a JSON body is required: {\"target\": \"app\", \"ttl\": \"30m\"}");
      return;
    }
    for (String key : body.fieldNames()) {
      if (!KEYS.contains(key)) {
        ApiServer.error(ctx, 400, "unknown field '" + key + "'; fields are target, ttl, label, profile");
        return;
      }
    }
    String target = body.getValue("target") instanceof String t ? t : null;
    if (target == null || daemon.monitor(target).isEmpty()) {
      ApiServer.error(ctx, target == null ? 400 : 404, target == null
          ? "'target' is required: the name of a configured target"
          : "no target named '" + target + "'");
      return;
    }
    Duration ttl;
    try {
      ttl = Durations.parse(body.getValue("ttl") instanceof String s ? s : "30m");
    } catch (RuntimeException e) {
      ApiServer.error(ctx, 400, "'ttl' must be a duration such as 30m: " + e.getMessage());
      return;
    }
    if (ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      ApiServer.error(ctx, 400, "'ttl' must be more than 0 and at most 24h");
      return;
    }
    String profile = body.getValue("profile") instanceof String p ? p : "in-window";
    if (!PROFILES.contains(profile)) {
      ApiServer.error(ctx, 400, "'profile' must be one of " + String.join(", ", PROFILES));
      return;
    }
    String label = body.getValue("label") instanceof String l ? l : "";
    ApiServer.json(ctx, 201, json(windows.open(target, ttl, label, profile)));
  }

  void close(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    windows.close(id, "closed").ifPresentOrElse(
        w -> ApiServer.json(ctx, 200, json(w)),
        () -> ApiServer.error(ctx, 404, "no open window with id '" + id + "'"));
  }

  static JsonObject json(MigrationWindow w) {
    return new JsonObject()
        .put("id", w.id())
        .put("target", w.target())
        .put("label", w.label())
        .put("profile", w.profile())
        .put("source", w.source())
        .put("open", w.open())
        .put("openedAt", w.openedAt().toString())
        .put("expiresAt", w.expiresAt().toString())
        .put("backendPid", w.backendPid())
        .put("backendStart", w.backendStart() == null ? null : w.backendStart().toString())
        .put("tool", w.tool())
        .put("closedAt", w.closedAt() == null ? null : w.closedAt().toString())
        .put("closeReason", w.closeReason());
  }
}
