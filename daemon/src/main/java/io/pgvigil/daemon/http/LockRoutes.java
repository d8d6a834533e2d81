package io.pgvigil.daemon.http;

import io.pgvigil.daemon.locks.LockState;
import io.pgvigil.daemon.runtime.Daemon;
import io.pgvigil.daemon.runtime.TargetMonitor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** {@code GET /api/v1/targets/{name}/locks}: the last lock report and the INVALID indexes (README). */
final class LockRoutes {

  private final Daemon daemon;

  LockRoutes(Daemon daemon) {
    this.daemon = daemon;
  }

  void get(RoutingContext ctx) {
    Optional<TargetMonitor> monitor = ApiServer.monitorOf(daemon, ctx);
    if (monitor.isEmpty()) {
      return;
    }
    String name = monitor.get().name();
    LockState locks = monitor.get().setup().locks();
    JsonObject body = new JsonObject().put("target", name);
    if (locks.last().isEmpty()) {
      body.put("status", "not-polled-yet");
    } else {
      body.put("status", "ok").mergeIn(ApiJson.locks(locks.last().get()));
    }
    body.put("invalidIndexes", locks.invalidIndexes().map(ApiJson::invalidIndexes).orElse(null));
    ApiServer.json(ctx, 200, body);
  }
}
