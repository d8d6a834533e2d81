package io.pgvigil.daemon.http;

import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.replication.ReplicationState;
import io.pgvigil.daemon.runtime.Daemon;
import io.pgvigil.daemon.runtime.TargetMonitor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** {@code GET /api/v1/targets/{name}/replication}: the last replication report (README). */
final class ReplicationRoutes {

  private final Daemon daemon;

  ReplicationRoutes(Daemon daemon) {
    this.daemon = daemon;
  }

  void get(RoutingContext ctx) {
    Optional<TargetMonitor> monitor = ApiServer.monitorOf(daemon, ctx);
    if (monitor.isEmpty()) {
      return;
    }
    String name = monitor.get().name();
    ReplicationState state = monitor.get().setup().replication();
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
