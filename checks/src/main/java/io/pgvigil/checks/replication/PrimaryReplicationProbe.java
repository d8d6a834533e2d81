package io.pgvigil.checks.replication;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The standbys streaming from a server and its replication slots: two queries per poll.
 *
 * <p>Lags are measured from the server's own WAL position. {@code pg_current_wal_lsn()} raises an error during
 * recovery (manual, "System Administration Functions", Table "Backup Control Functions"), so on a standby
 * (cascading replication) the position is {@code pg_last_wal_replay_lsn()} and the result says
 * {@code standby = true}. {@code pg_lsn} values travel as text: the Vert.x client has no codec for them.
 *
 * <p>Needs only {@code pg_monitor}: {@code pg_stat_replication} shows every column from {@code state} on only
 * to superusers and members of {@code pg_read_all_stats} (manual, "pg_stat_replication View"), which
 * {@code pg_monitor} includes. A role without it sees NULL there; the result then carries a note.
 * {@code pg_replication_slots} is readable by anyone.
 */
public final class PrimaryReplicationProbe {

  private static final String STANDBYS = """
      WITH here AS MATERIALIZED (
        SELECT current_setting('server_version_num')::int AS version_num,
               pg_is_in_recovery() AS standby,
               clock_timestamp() AS server_time,
               CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS current_lsn
      )
      SELECT h.version_num, h.standby, h.server_time, h.current_lsn::text AS current_lsn,
             r.pid, r.application_name, host(r.client_addr) AS client_addr, r.logical, r.state, r.sync_state,
             r.reply_time, r.replay_lsn::text AS replay_lsn,
             pg_wal_lsn_diff(h.current_lsn, r.sent_lsn)::bigint AS sent_lag_bytes,
             pg_wal_lsn_diff(h.current_lsn, r.write_lsn)::bigint AS write_lag_bytes,
             pg_wal_lsn_diff(h.current_lsn, r.flush_lsn)::bigint AS flush_lag_bytes,
             pg_wal_lsn_diff(h.current_lsn, r.replay_lsn)::bigint AS replay_lag_bytes,
             extract(epoch FROM r.write_lag)::float8 AS write_lag_seconds,
             extract(epoch FROM r.flush_lag)::float8 AS flush_lag_seconds,
             extract(epoch FROM r.replay_lag)::float8 AS replay_lag_seconds
        FROM here h
        -- pg_stat_replication's definition joins pg_stat_get_activity(NULL), which builds a row
        -- for every connection (1.9 ms of this poll at 1,000 connections, every poll); the WAL
        -- senders themselves are few, so look each one's name and address up by pid instead.
        LEFT JOIN (
          -- A logical sender is connected to a database; a physical one (a standby) is not.
          SELECT w.pid, a.application_name, a.client_addr, a.datid IS NOT NULL AS logical,
                 w.state, w.sync_state, w.reply_time,
                 w.sent_lsn, w.write_lsn, w.flush_lsn, w.replay_lsn, w.write_lag, w.flush_lag, w.replay_lag
            FROM pg_stat_get_wal_senders() w
           CROSS JOIN LATERAL pg_stat_get_activity(w.pid) a
        ) r ON true
       ORDER BY r.application_name, r.pid
      """;

  /** {@code inactive_since} and {@code invalidation_reason} appear in the manual's "pg_replication_slots" page from 17. */
  private static final String SLOTS_17 = """
      SELECT slot_name, slot_type, database, active, active_pid,
             pg_wal_lsn_diff($1::text::pg_lsn, restart_lsn)::bigint AS retained_bytes,
             wal_status, safe_wal_size, inactive_since, invalidation_reason
        FROM pg_replication_slots
       ORDER BY slot_name
      """;

  /** Before 17: {@code wal_status} and {@code safe_wal_size} exist (since 13), the two 17 columns do not. */
  private static final String SLOTS_13 = """
      SELECT slot_name, slot_type, database, active, active_pid,
             pg_wal_lsn_diff($1::text::pg_lsn, restart_lsn)::bigint AS retained_bytes,
             wal_status, safe_wal_size, NULL::timestamptz AS inactive_since, NULL::text AS invalidation_reason
        FROM pg_replication_slots
       ORDER BY slot_name
      """;

  private static final int PG17 = 170_000;

  public Future<PrimaryReplication> poll(SqlClient client) {
    return client.query(STANDBYS)
        .collecting(Collectors.mapping(PrimaryReplicationProbe::toLine, Collectors.toList()))
        .execute()
        .compose(rows -> {
          List<Line> lines = rows.value();
          Line here = lines.get(0);
          return client.preparedQuery(here.versionNum() >= PG17 ? SLOTS_17 : SLOTS_13)
              .collecting(Collectors.mapping(PrimaryReplicationProbe::toSlot, Collectors.toList()))
              .execute(Tuple.of(here.currentLsn()))
              .map(slots -> toResult(lines, slots.value()));
        });
  }

  private static PrimaryReplication toResult(List<Line> lines, List<ReplicationSlot> slots) {
    Line here = lines.get(0);
    List<StandbyReplication> standbys = lines.stream().map(Line::standby).filter(Objects::nonNull).toList();
    List<String> notes = new ArrayList<>();
    if (standbys.stream().anyMatch(s -> s.state() == null)) {
      notes.add("pg_stat_replication: state and positions are hidden from this role; grant it pg_monitor "
          + "(or pg_read_all_stats)");
    }
    if (here.versionNum() < PG17) {
      notes.add("pg_replication_slots: inactive_since and invalidation_reason need PostgreSQL 17");
    }
    if (here.currentLsn() == null) {
      notes.add("no current WAL position: byte lags and retained bytes unknown");
    }
    return new PrimaryReplication(here.serverTime(), here.versionNum(), here.inRecovery(), here.currentLsn(),
        standbys, slots, notes);
  }

  /** A row of the standbys query: the server's own values, and a standby unless it has none. */
  private record Line(int versionNum, boolean inRecovery, OffsetDateTime serverTime, String currentLsn,
      StandbyReplication standby) {}

  private static Line toLine(Row row) {
    StandbyReplication standby = null;
    Integer pid = row.getInteger("pid");
    if (pid != null) {
      Long writeBytes = row.getLong("write_lag_bytes");
      Long flushBytes = row.getLong("flush_lag_bytes");
      Long replayBytes = row.getLong("replay_lag_bytes");
      standby = new StandbyReplication(pid, row.getString("application_name"), row.getString("client_addr"),
          row.getString("state"), row.getString("sync_state"), row.getLong("sent_lag_bytes"),
          flushBytes, replayBytes,
          StandbyReplication.lagSeconds(row.getDouble("write_lag_seconds"), writeBytes),
          StandbyReplication.lagSeconds(row.getDouble("flush_lag_seconds"), flushBytes),
          StandbyReplication.lagSeconds(row.getDouble("replay_lag_seconds"), replayBytes),
          Boolean.TRUE.equals(row.getBoolean("logical")), row.getString("replay_lsn"));
    }
    return new Line(row.getInteger("version_num"), row.getBoolean("standby"), row.getOffsetDateTime("server_time"),
        row.getString("current_lsn"), standby);
  }

  private static ReplicationSlot toSlot(Row row) {
    return new ReplicationSlot(row.getString("slot_name"), row.getString("slot_type"), row.getString("database"),
        Boolean.TRUE.equals(row.getBoolean("active")), row.getInteger("active_pid"), row.getLong("retained_bytes"),
        row.getString("wal_status"), row.getLong("safe_wal_size"), row.getOffsetDateTime("inactive_since"),
        row.getString("invalidation_reason"));
  }
}
