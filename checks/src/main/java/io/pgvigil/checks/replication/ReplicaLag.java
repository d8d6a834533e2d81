package io.pgvigil.checks.replication;

/**
 * One standby's lag, as the primary and, when configured, the replica itself see it. Every lag is null when
 * unknown; a {@code gone} standby (missing from {@code pg_stat_replication}) has no lag at all, never 0.
 *
 * @param name               {@code application_name}, which is also the configured replica name
 * @param replayDelaySeconds how far the standby is behind now ({@link WalPositions}): what the lag rules judge
 * @param replayGapBytes     from the replica (as are paused, inRecovery, receiverStatus): received, not replayed
 * @param logical            a logical decoding sender (a subscriber, a CDC tool), not a standby replaying WAL
 * @param configured         a configured replica ({@code targets[].replicas}), not some other WAL sender
 */
public record ReplicaLag(String name, boolean gone, String state, String syncState, String clientAddr,
    Double writeLagSeconds, Double flushLagSeconds, Double replayLagSeconds, Long sentLagBytes, Long flushLagBytes,
    Long replayLagBytes, Double replayDelaySeconds, Long replayGapBytes, Boolean paused, Boolean inRecovery,
    String receiverStatus, boolean logical, boolean configured) {}
