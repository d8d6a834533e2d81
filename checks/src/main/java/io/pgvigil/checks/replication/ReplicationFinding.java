package io.pgvigil.checks.replication;

import java.time.Instant;

public sealed interface ReplicationFinding {

  /**
   * A configured replica is missing from {@code pg_stat_replication}. Its lag is unknown from then on, never
   * 0. Never about another WAL sender (a finished {@code pg_basebackup} is not a lost standby).
   *
   * @param lastSeen the last poll that saw it, null if this tracker never saw it
   */
  record StandbyGone(String name, Instant lastSeen) implements ReplicationFinding {}

  /**
   * An inactive slot keeps more and more WAL: nothing consumes it, and it holds WAL until the disk fills.
   *
   * @param grewBytes     growth since {@code since}
   * @param since         the first poll of the growth window
   */
  record InactiveSlotGrowing(String slot, long retainedBytes, long grewBytes, Instant since)
      implements ReplicationFinding {}

  /**
   * A slot whose WAL is no longer guaranteed ({@code wal_status = 'unreserved'}: past
   * {@code max_slot_wal_keep_size}, removed at the next checkpoint) or already gone ({@code 'lost'}: the
   * slot is unusable and its standby must be rebuilt). Manual, "pg_replication_slots View".
   *
   * @param walStatus          unreserved or lost
   * @param safeWalSize        bytes left before WAL is removed, null when unknown
   * @param invalidationReason PostgreSQL 17+, null before
   */
  record SlotWalAtRisk(String slot, String walStatus, Long safeWalSize, String invalidationReason)
      implements ReplicationFinding {}

  /** A configured replica that is not in recovery: promoted, or its URL names another server. */
  record ReplicaNotInRecovery(String name) implements ReplicationFinding {}

  /**
   * A replica whose WAL receiver is not streaming: it falls behind without knowing by how much.
   *
   * @param receiverStatus {@code pg_stat_wal_receiver.status}, null when no receiver runs
   */
  record ReceiverNotStreaming(String name, String receiverStatus) implements ReplicationFinding {}

  /**
   * Replay is paused (or a pause was requested) on a replica: its lag grows with every write on the primary.
   *
   * @param pauseState {@code pg_get_wal_replay_pause_state()}
   */
  record ReplayPaused(String name, String pauseState) implements ReplicationFinding {}
}
