package io.pgvigil.checks.replication;

/**
 * One row of {@code pg_stat_replication}: a standby as the server it streams from sees it. Byte lags are
 * {@code pg_wal_lsn_diff(current, <position>)} from the probed server's WAL position, null when a position
 * is unknown; second lags are null when unknown (see {@link #lagSeconds(Double, Long)}).
 *
 * @param name      {@code application_name} (the standby's {@code cluster_name} or primary_conninfo setting)
 * @param clientAddr the standby's address, null for a Unix-socket connection
 * @param state     startup, catchup, streaming, backup or stopping; null when the role cannot see it
 * @param logical   a logical decoding sender (a subscriber, a CDC tool), not a standby replaying WAL
 * @param replayLsn {@code replay_lsn}, as text. The standby reports it after each flush, every
 *                  {@code wal_receiver_status_interval}, and at once when it has replayed all it received
 *                  (xlogrecovery.c, WaitForWALToBecomeAvailable): stale only while it is behind anyway
 */
public record StandbyReplication(int pid, String name, String clientAddr, String state, String syncState,
    Long sentLagBytes, Long flushLagBytes, Long replayLagBytes, Double writeLagSeconds,
    Double flushLagSeconds, Double replayLagSeconds, boolean logical, String replayLsn) {

  /**
   * A lag interval in seconds, with PostgreSQL's NULL read correctly: the lag columns are NULL "if the standby server
   * has caught up and there is no activity" (manual, "pg_stat_replication View") but also before the first measurement.
   * NULL is 0 only when the matching byte lag says the standby has caught up; otherwise it is unknown (null), never 0.
   */
  static Double lagSeconds(Double interval, Long lagBytes) {
    if (interval != null) {
      return interval;
    }
    return lagBytes != null && lagBytes <= 0 ? 0.0 : null;
  }
}
