package io.pgvigil.checks.replication;

import java.time.OffsetDateTime;

/**
 * One row of {@code pg_stat_replication}: a standby as the server it streams from sees it.
 *
 * <p>Byte lags are {@code pg_wal_lsn_diff(current, <position>)}, where "current" is the probed server's WAL
 * position (see {@link PrimaryReplication#currentLsn()}); null when the position is unknown (a standby still
 * starting up has not reported one). Second lags are null when unknown: PostgreSQL leaves
 * {@code write_lag}/{@code flush_lag}/{@code replay_lag} NULL both when a caught-up standby has nothing to
 * measure and before a first measurement; only the first means 0 (see {@link #lagSeconds(Double, Long)}).
 *
 * @param name              {@code application_name} (the standby's {@code cluster_name} or primary_conninfo setting)
 * @param clientAddr        the standby's address, null for a Unix-socket connection
 * @param state             startup, catchup, streaming, backup or stopping; null when the role cannot see it
 * @param replyTime         when the standby's last status message was sent
 * @param logical a logical decoding sender (a subscriber, a CDC tool), not a standby replaying WAL
 * @param replayLsn         {@code replay_lsn}, as text: what the standby last said it has replayed. It says so
 *                          after each flush, every {@code wal_receiver_status_interval}, and at once when it
 *                          has replayed all it received (xlogrecovery.c, WaitForWALToBecomeAvailable): stale
 *                          only while the standby still has WAL to replay, i.e. while it is behind anyway
 */
public record StandbyReplication(int pid, String name, String clientAddr, String state, String syncState,
    Long sentLagBytes, Long writeLagBytes, Long flushLagBytes, Long replayLagBytes, Double writeLagSeconds,
    Double flushLagSeconds, Double replayLagSeconds, OffsetDateTime replyTime, boolean logical, String replayLsn) {

  /**
   * A lag interval in seconds, with PostgreSQL's NULL read correctly: the lag columns are NULL "if the
   * standby server has caught up and there is no activity" (manual, "pg_stat_replication View") but also
   * before the first measurement. NULL is 0 only when the matching byte lag says the standby has caught up;
   * otherwise it is unknown (null), never 0.
   */
  static Double lagSeconds(Double interval, Long lagBytes) {
    if (interval != null) {
      return interval;
    }
    return lagBytes != null && lagBytes <= 0 ? 0.0 : null;
  }
}
