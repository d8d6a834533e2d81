package io.pgvigil.daemon.http;

import io.pgvigil.checks.server.ServerInfo;
import io.pgvigil.daemon.watch.CheckStatus;
import io.pgvigil.daemon.watch.TargetStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The JSON shape of target status in the API. Timestamps are ISO-8601 UTC. */
final class StatusJson {

  private StatusJson() {}

  static JsonObject target(TargetStatus t) {
    JsonArray checks = new JsonArray();
    t.checks().forEach(c -> checks.add(check(c)));
    return new JsonObject()
        .put("name", t.name())
        .put("url", t.url())
        .put("up", t.up())
        .put("polled", t.polled())
        .put("since", t.since() == null ? null : t.since().toString())
        .put("server", server(t.server()))
        .put("checks", checks);
  }

  private static JsonObject server(ServerInfo s) {
    if (s == null) {
      return null;
    }
    return new JsonObject()
        .put("version", s.version())
        .put("major", s.major())
        .put("standby", s.inRecovery())
        .put("startedAt", s.startedAt() == null ? null : s.startedAt().toInstant().toString())
        .put("role", s.role())
        .put("pgMonitor", s.pgMonitor());
  }

  private static JsonObject check(CheckStatus c) {
    return new JsonObject()
        .put("name", c.check())
        .put("ok", !c.failing() && c.runs() > 0)
        .put("runs", c.runs())
        .put("consecutiveFailures", c.consecutiveFailures())
        .put("lastRun", c.lastRun() == null ? null : c.lastRun().toString())
        .put("lastDurationMs", c.lastDuration() == null ? null : c.lastDuration().toNanos() / 1e6)
        .put("lastSuccess", c.lastSuccess() == null ? null : c.lastSuccess().toString())
        .put("lastError", c.lastError());
  }
}
