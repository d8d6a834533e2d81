package io.pgvigil.checks.replication;

import java.time.Instant;
import java.util.List;

/**
 * One poll of replication, judged: lag per standby, slots, and what needs attention.
 *
 * @param at       when the poll was taken (the daemon's clock)
 * @param standby  true when the probed server is itself a standby (cascading)
 * @param replicas every connected WAL sender, and each configured replica that is gone ({@code gone = true}, no
 *                 lag); a sender that is not a configured replica is listed only while connected
 */
public record ReplicationReport(Instant at, boolean standby, List<ReplicaLag> replicas, List<ReplicationSlot> slots,
    List<ReplicationFinding> findings, List<String> notes) {

  public ReplicationReport {
    replicas = List.copyOf(replicas);
    slots = List.copyOf(slots);
    findings = List.copyOf(findings);
    notes = List.copyOf(notes);
  }
}
