package io.pgvigil.checks.replication;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * What a replica says about itself.
 *
 * @param inRecovery         false means the server is not a standby (promoted, or the URL names the wrong
 *                           server): everything else about replay is then meaningless
 * @param replayGapBytes     WAL received but not replayed yet (never negative); null when unknown
 * @param lastReplayTime     {@code pg_last_xact_replay_timestamp()}: commit time of the last replayed transaction
 * @param replayDelaySeconds how far replay is behind, with the idle correction ({@link ReplicaProbe}); null when
 *                           unknown
 * @param pauseState         {@code pg_get_wal_replay_pause_state()}: not paused, pause requested or paused
 * @param paused             true when replay is paused or a pause was requested; null when unknown
 * @param receiverStatus     {@code pg_stat_wal_receiver.status} (streaming, stopping, waiting, ...), null when
 *                           no WAL receiver runs
 */
public record ReplicaStatus(OffsetDateTime serverTime, int versionNum, boolean inRecovery,
    String replayLsn, Long replayGapBytes, OffsetDateTime lastReplayTime, Double replayDelaySeconds,
    String pauseState, Boolean paused, String receiverStatus, String senderHost, Integer senderPort,
    List<String> notes) {

  public ReplicaStatus {
    notes = List.copyOf(notes);
  }

  public boolean streaming() {
    return "streaming".equals(receiverStatus);
  }
}
