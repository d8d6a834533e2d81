package io.pgvigil.checks.replication;

import io.pgvigil.checks.replication.ReplicationFinding.InactiveSlotGrowing;
import io.pgvigil.checks.replication.ReplicationFinding.ReceiverNotStreaming;
import io.pgvigil.checks.replication.ReplicationFinding.ReplayPaused;
import io.pgvigil.checks.replication.ReplicationFinding.ReplicaNotInRecovery;
import io.pgvigil.checks.replication.ReplicationFinding.SlotWalAtRisk;
import io.pgvigil.checks.replication.ReplicationFinding.StandbyGone;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns successive polls of one target into a {@link ReplicationReport}, remembering which standbys it has
 * seen and how each inactive slot's retained WAL evolves. Not thread-safe: one per target. Standbys are
 * matched by {@code application_name}, which must equal the configured replica name.
 * <ul>
 *   <li><b>Standby gone</b>: a configured replica missing from {@code pg_stat_replication}; it stays in the
 *       report with {@code gone = true} and no lag (a broken standby must never look like one with 0 lag).
 *       Any other WAL sender (a {@code pg_basebackup}, a subscriber) just drops out when it leaves.</li>
 *   <li><b>Inactive slot growing</b>: over the polls of the last {@code DEFAULT_WINDOW} in which it
 *       stayed inactive, its retained WAL never shrank (a shrink restarts the window), was seen at
 *       least {@code DEFAULT_MIN_POLLS} times and grew by at least one 16 MiB WAL segment (less can
 *       be a checkpoint record or two). Growth, not "inactive" alone, so a standby that reconnects is no alarm.</li>
 *   <li><b>Slot WAL at risk</b>: {@code wal_status} 'unreserved' or 'lost'.</li>
 *   <li><b>Replica</b> (its own probe): not in recovery, WAL receiver not streaming, replay paused.</li>
 * </ul> How far each standby is behind comes from {@link WalPositions}, with the replica's own replay position when it
 * answers, else the {@code replay_lsn} it last reported to the primary.
 */
public final class ReplicationTracker {

  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  public static final long DEFAULT_MIN_GROWTH_BYTES = 16L * 1024 * 1024;
  public static final int DEFAULT_MIN_POLLS = 3;

  private final Map<String, Instant> lastSeen = new HashMap<>();
  private final Map<String, Deque<SlotSample>> inactiveSlots = new HashMap<>();
  private final WalPositions walPositions = new WalPositions();

  /**
   * @param now              the daemon's clock at the poll
   * @param replicas         the replicas' own probe results by configured name; absent when its probe failed
   * @param expectedStandbys names that must be streaming (the configured replicas)
   */
  public ReplicationReport update(Instant now, PrimaryReplication primary, Map<String, ReplicaStatus> replicas,
      Set<String> expectedStandbys) {
    List<ReplicaLag> lags = new ArrayList<>();
    List<ReplicationFinding> findings = new ArrayList<>();
    Set<String> present = new HashSet<>();
    walPositions.observe(now, WalPositions.parse(primary.currentLsn()));
    for (StandbyReplication standby : primary.standbys()) {
      String name = standby.name() == null ? "" : standby.name();
      present.add(name);
      ReplicaStatus replica = replicas.get(name);
      Double behind = walPositions.secondsBehind(now, replayed(standby, replica), standby.replayLagSeconds());
      lags.add(present(standby, replica, behind, expectedStandbys.contains(name)));
    }
    Set<String> missing = new TreeSet<>(expectedStandbys);
    missing.removeAll(present);
    for (String name : missing) {
      findings.add(new StandbyGone(name, lastSeen.get(name)));
      lags.add(gone(name, replicas.get(name)));
    }
    // Only configured replicas are remembered: nothing else is ever reported gone.
    present.stream().filter(expectedStandbys::contains).forEach(name -> lastSeen.put(name, now));
    replicas.forEach((name, status) -> findings.addAll(replicaFindings(name, status)));
    findings.addAll(slotFindings(now, primary.slots()));
    List<String> notes = new ArrayList<>(primary.notes());
    replicas.forEach((name, status) -> status.notes().forEach(note -> notes.add(name + ": " + note)));
    return new ReplicationReport(now, primary.standby(), lags, primary.slots(), findings, notes);
  }

  /**
   * The position the standby has replayed: its own word when it answers as a standby (current to this
   * poll), else what it last told the primary. A logical sender has no replica view: its {@code replay_lsn}
   * is what its consumer confirmed.
   */
  private static Long replayed(StandbyReplication standby, ReplicaStatus replica) {
    if (!standby.logical() && replica != null && replica.inRecovery() && replica.replayLsn() != null) {
      return WalPositions.parse(replica.replayLsn());
    }
    return WalPositions.parse(standby.replayLsn());
  }

  private static ReplicaLag present(StandbyReplication standby, ReplicaStatus replica, Double behind,
      boolean configured) {
    return new ReplicaLag(standby.name(), false, standby.state(), standby.syncState(), standby.clientAddr(),
        standby.writeLagSeconds(), standby.flushLagSeconds(), standby.replayLagSeconds(), standby.sentLagBytes(),
        standby.flushLagBytes(), standby.replayLagBytes(), behind, replica == null ? null : replica.replayGapBytes(),
        replica == null ? null : replica.paused(), replica == null ? null : replica.inRecovery(),
        replica == null ? null : replica.receiverStatus(), standby.logical(), configured);
  }

  /**
   * No lag for a gone standby: without the primary's view nobody knows how far behind it is (its own view, if it
   * answers, shows what it received, not what it misses). Its replay gap, pause and receiver state are kept.
   */
  private static ReplicaLag gone(String name, ReplicaStatus replica) {
    return new ReplicaLag(name, true, null, null, null, null, null, null, null, null, null, null,
        replica == null ? null : replica.replayGapBytes(), replica == null ? null : replica.paused(),
        replica == null ? null : replica.inRecovery(), replica == null ? null : replica.receiverStatus(), false, true);
  }

  private static List<ReplicationFinding> replicaFindings(String name, ReplicaStatus status) {
    if (!status.inRecovery()) {
      return List.of(new ReplicaNotInRecovery(name));
    }
    List<ReplicationFinding> findings = new ArrayList<>();
    if (!status.streaming()) {
      findings.add(new ReceiverNotStreaming(name, status.receiverStatus()));
    }
    if (Boolean.TRUE.equals(status.paused())) {
      findings.add(new ReplayPaused(name, status.pauseState()));
    }
    return findings;
  }

  private List<ReplicationFinding> slotFindings(Instant now, List<ReplicationSlot> slots) {
    List<ReplicationFinding> findings = new ArrayList<>();
    Map<String, Deque<SlotSample>> still = new LinkedHashMap<>();
    for (ReplicationSlot slot : slots) {
      if ("unreserved".equals(slot.walStatus()) || "lost".equals(slot.walStatus())) {
        findings.add(new SlotWalAtRisk(slot.name(), slot.walStatus(), slot.safeWalSize(), slot.invalidationReason()));
      }
      if (slot.active() || slot.retainedBytes() == null) {
        continue;
      }
      Deque<SlotSample> samples = inactiveSlots.getOrDefault(slot.name(), new ArrayDeque<>());
      long retained = slot.retainedBytes();
      if (!samples.isEmpty() && retained < samples.peekLast().retainedBytes()) {
        samples.clear();
      }
      samples.addLast(new SlotSample(now, retained));
      Instant windowStart = now.minus(DEFAULT_WINDOW);
      while (samples.size() > 1 && samples.peekFirst().at().isBefore(windowStart)) {
        samples.removeFirst();
      }
      still.put(slot.name(), samples);
      long grew = retained - samples.peekFirst().retainedBytes();
      if (samples.size() >= DEFAULT_MIN_POLLS && grew >= DEFAULT_MIN_GROWTH_BYTES) {
        findings.add(new InactiveSlotGrowing(slot.name(), retained, grew, samples.peekFirst().at()));
      }
    }
    // Slots that became active, stopped reserving WAL or were dropped start over.
    inactiveSlots.clear();
    inactiveSlots.putAll(still);
    return findings;
  }

  private record SlotSample(Instant at, long retainedBytes) {}
}
