package io.pgvigil.daemon.http;

import io.pgvigil.checks.locks.InvalidIndex;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.replication.ReplicationFinding;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.killswitch.AbortDecision;
import io.pgvigil.daemon.replication.ReplicaConnections;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

final class ApiJson {

  private ApiJson() {}

  static JsonObject locks(LockReport r) {
    return RecordJson.object(r);
  }

  static JsonArray invalidIndexes(List<InvalidIndex> indexes) {
    return RecordJson.array(indexes);
  }

  static JsonObject replication(ReplicationReport report,
      Function<String, Optional<ReplicaConnections.Failure>> failures) {
    JsonObject body = RecordJson.object(report);
    JsonArray replicas = body.getJsonArray("replicas");
    for (int i = 0; i < replicas.size(); i++) {
      JsonObject replica = replicas.getJsonObject(i);
      Optional<ReplicaConnections.Failure> failure = replica.getBoolean("configured", false)
          ? failures.apply(replica.getString("name")) : Optional.empty();
      replica.put("lastError", failure.map(ReplicaConnections.Failure::reason).orElse(null))
          .put("failingSince", failure.map(f -> f.since().toString()).orElse(null));
    }
    JsonArray findings = new JsonArray();
    for (ReplicationFinding finding : report.findings()) {
      findings.add(new JsonObject().put("type", type(finding)).mergeIn(RecordJson.object(finding)));
    }
    return body.put("findings", findings);
  }

  /** StandbyGone → standby-gone. */
  private static String type(ReplicationFinding finding) {
    return finding.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
  }

  static JsonArray aborts(List<AbortDecision> decisions) {
    return RecordJson.array(decisions);
  }
}
