package io.pgvigil.checks.replication;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * What a server says about the standbys streaming from it and its replication slots.
 *
 * @param standby    true when the probed server is itself a standby (cascading replication): then
 *                   {@code currentLsn} is its replay position, not {@code pg_current_wal_lsn()}
 * @param currentLsn the WAL position lags are measured from, as text (e.g. {@code 0/3000148}); null if unknown
 * @param standbys   {@code pg_stat_replication}, by name
 * @param slots      {@code pg_replication_slots}, by name
 */
public record PrimaryReplication(OffsetDateTime serverTime, int versionNum, boolean standby, String currentLsn,
    List<StandbyReplication> standbys, List<ReplicationSlot> slots, List<String> notes) {

  public PrimaryReplication {
    standbys = List.copyOf(standbys);
    slots = List.copyOf(slots);
    notes = List.copyOf(notes);
  }
}
