package io.pgvigil.daemon.http;

import io.pgvigil.daemon.locks.LockState;
import io.pgvigil.daemon.runtime.Daemon;
import io.pgvigil.daemon.runtime.TargetMonitor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /api/v1/targets/{name}/locks}: the last lock report (blocking
 * trees with their root blockers, lock queues behind waiting DDL with their
 * cost, running DDL with progress, long writes, idle transactions) and the
 * INVALID indexes. Query text is already cut to 200 characters (and its
 * literals redacted unless {@code watch.redactLiterals} is off) by the analysis.
 */
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
