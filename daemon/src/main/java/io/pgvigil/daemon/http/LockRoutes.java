package io.pgvigil.daemon.http;

import io.pgvigil.daemon.locks.LockState;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** {@code GET /api/v1/targets/{name}/locks}: the last lock report and the INVALID indexes (README). */
final class LockRoutes {

  private final Targets targets;

  LockRoutes(Targets targets) {
    this.targets = targets;
  }

  void get(RoutingContext ctx) {
    Optional<Targets.Target> target = ApiServer.targetOf(targets, ctx);
    if (target.isEmpty()) {
      return;
    }
    String name = target.get().name();
    LockState locks = target.get().locks();
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
