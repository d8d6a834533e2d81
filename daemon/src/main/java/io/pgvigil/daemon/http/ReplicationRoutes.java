package io.pgvigil.daemon.http;

import io.pgvigil.checks.replication.ReplicationFinding;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.replication.ReplicaConnections;
import io.pgvigil.daemon.replication.ReplicationState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /api/v1/targets/{name}/replication}: lag per standby (from the
 * primary and, for configured replicas, from the replica itself), slots and
 * their retained WAL, and findings (a standby gone, an inactive slot growing,
 * WAL at risk), each with its {@code type}. Each configured replica carries
 * {@code lastError} and {@code failingSince}: why pgvigil cannot poll it on its
 * own URL and since when (null while it answers); a sender that is not a
 * configured replica has them null.
 */
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
    body.put("status", "ok").mergeIn(RecordJson.object(last.get()));
    JsonArray replicas = body.getJsonArray("replicas");
    for (int i = 0; i < replicas.size(); i++) {
      JsonObject replica = replicas.getJsonObject(i);
      Optional<ReplicaConnections.Failure> failure = replica.getBoolean("configured", false)
          ? state.connections().failure(replica.getString("name")) : Optional.empty();
      replica.put("lastError", failure.map(ReplicaConnections.Failure::reason).orElse(null))
          .put("failingSince", failure.map(f -> f.since().toString()).orElse(null));
    }
    JsonArray findings = new JsonArray();
    for (ReplicationFinding finding : last.get().findings()) {
      findings.add(new JsonObject().put("type", type(finding)).mergeIn(RecordJson.object(finding)));
    }
    ApiServer.json(ctx, 200, body.put("findings", findings));
  }

  /** StandbyGone → standby-gone. */
  private static String type(ReplicationFinding finding) {
    return finding.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
  }
}
