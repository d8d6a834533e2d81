package io.pgvigil.daemon.http;

import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.replication.ReplicationState;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** {@code GET /api/v1/targets/{name}/replication}: the last replication report (README). */
final class ReplicationRoutes {

  private final Targets targets;

  ReplicationRoutes(Targets targets) {
    this.targets = targets;
  }

  void get(RoutingContext ctx) {
    Optional<Targets.Target> target = ApiServer.targetOf(targets, ctx);
    if (target.isEmpty()) {
      return;
    }
    String name = target.get().name();
    ReplicationState state = target.get().replication();
    JsonObject body = new JsonObject().put("target", name);
    Optional<ReplicationReport> last = state.last();
    if (last.isEmpty()) {
      ApiServer.json(ctx, 200, body.put("status", "not-polled-yet"));
      return;
    }
    body.put("status", "ok").mergeIn(ApiJson.replication(last.get(), state.connections()::failure));
    ApiServer.json(ctx, 200, body);
  }
}
