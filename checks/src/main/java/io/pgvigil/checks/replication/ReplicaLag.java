package io.pgvigil.checks.replication;

/**
 * One standby's lag, as the primary ({@code pg_stat_replication}) and, when configured, the replica itself
 * see it. Every lag is null when unknown; a {@code gone} standby has no lag at all (never 0).
 *
 * @param name               {@code application_name}, which is also the configured replica name
 * @param gone               true when the standby is missing from {@code pg_stat_replication}
 * @param replayDelaySeconds how far the standby is behind now: the age of the oldest WAL it has not replayed,
 *                           timed on the primary's side (0 when it has replayed all the primary has; see
 *                           {@link WalPositions}); null when unknown. This is what the lag rules judge.
 * @param replayGapBytes     from the replica: WAL received, not yet replayed
 * @param paused             from the replica: replay paused or pause requested
 * @param inRecovery         from the replica: false when it is not a standby
 * @param receiverStatus     from the replica: its WAL receiver's status
 * @param logical a logical decoding sender (a subscriber, a CDC tool), not a standby replaying WAL
 * @param configured         a configured replica ({@code targets[].replicas}), not some other WAL sender (a
 *                           {@code pg_basebackup}, a subscriber, a standby pgvigil was not told about)
 */
public record ReplicaLag(String name, boolean gone, String state, String syncState, String clientAddr,
    Double writeLagSeconds, Double flushLagSeconds, Double replayLagSeconds, Long sentLagBytes, Long flushLagBytes,
    Long replayLagBytes, Double replayDelaySeconds, Long replayGapBytes, Boolean paused, Boolean inRecovery,
    String receiverStatus, boolean logical, boolean configured) {}
