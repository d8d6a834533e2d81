package io.pgvigil.checks.replication;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica's own view of its replay: run on a connection to the replica, two queries per poll.
 *
 * <p>The replay delay has the idle correction: {@code now() - pg_last_xact_replay_timestamp()} grows without bound on
 * an idle primary (postgres_exporter #385), so it is 0 when everything received has been replayed, and unknown (null,
 * never 0) when the WAL receiver is not streaming: with the link blocked, receive and replay positions stay equal
 * (postgres_exporter #977). It still counts the idle time before a pause as lag, so what the daemon judges is
 * {@link WalPositions}' measure, for which this probe supplies the replay position.
 *
 * <p>{@code pg_get_wal_replay_pause_state()} exists from PostgreSQL 14 and raises outside recovery; before
 * 14, {@code pg_is_wal_replay_paused()} cannot tell "pause requested" from "paused" (noted). Needs
 * {@code pg_monitor} ({@code pg_stat_wal_receiver} shows its columns to {@code pg_read_all_stats}).
 */
public final class ReplicaProbe {

  private static final String STATUS = """
      SELECT current_setting('server_version_num')::int AS version_num,
             pg_is_in_recovery() AS in_recovery,
             clock_timestamp() AS server_time,
             pg_last_wal_receive_lsn()::text AS receive_lsn,
             pg_last_wal_replay_lsn()::text AS replay_lsn,
             pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint AS gap_bytes,
             pg_last_xact_replay_timestamp() AS last_replay_time,
             extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 AS since_replay_seconds
      """;

  private static final String RECEIVER_14 = """
      SELECT CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END AS pause_state,
             w.status, w.sender_host, w.sender_port, w.last_msg_receipt_time
        FROM (SELECT 1) AS one
        LEFT JOIN pg_stat_wal_receiver w ON true
      """;

  private static final String RECEIVER_13 = """
      SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                  WHEN pg_is_wal_replay_paused() THEN 'paused' ELSE 'not paused' END AS pause_state,
             w.status, w.sender_host, w.sender_port, w.last_msg_receipt_time
        FROM (SELECT 1) AS one
        LEFT JOIN pg_stat_wal_receiver w ON true
      """;

  private static final int PG14 = 140_000;

  public Future<ReplicaStatus> poll(SqlClient client) {
    return client.query(STATUS)
        .mapping(ReplicaProbe::toReplay)
        .execute()
        .compose(rows -> {
          Replay replay = rows.iterator().next();
          if (!replay.inRecovery()) {
            // Promoted, or the URL names a primary: no receiver, and the recovery functions would raise.
            return Future.succeededFuture(toStatus(replay, Receiver.NONE, List.of("not in recovery: not a standby")));
          }
          String sql = replay.versionNum() >= PG14 ? RECEIVER_14 : RECEIVER_13;
          return client.query(sql)
              .mapping(ReplicaProbe::toReceiver)
              .execute()
              .map(receivers -> {
                List<String> notes = new ArrayList<>();
                if (replay.versionNum() < PG14) {
                  notes.add("pause state: PostgreSQL " + replay.versionNum() / 10_000
                      + " cannot tell 'pause requested' from 'paused' (needs 14)");
                }
                return toStatus(replay, receivers.iterator().next(), notes);
              });
        });
  }

  private static ReplicaStatus toStatus(Replay replay, Receiver receiver, List<String> notes) {
    List<String> allNotes = new ArrayList<>(notes);
    Long gap = replay.gapBytes() == null ? null : Math.max(0L, replay.gapBytes());
    boolean streaming = "streaming".equals(receiver.status());
    Double delay = null;
    if (!streaming) {
      if (replay.inRecovery()) {
        allNotes.add("WAL receiver not streaming: replay delay unknown");
      }
    } else if (gap != null && gap == 0) {
      delay = 0.0;
    } else if (replay.sinceReplaySeconds() != null) {
      delay = Math.max(0.0, replay.sinceReplaySeconds());
    } else {
      allNotes.add("no transaction replayed since the replica started: replay delay unknown");
    }
    String pauseState = receiver.pauseState();
    Boolean paused = pauseState == null ? null : !"not paused".equals(pauseState);
    return new ReplicaStatus(replay.serverTime(), replay.versionNum(), replay.inRecovery(),
        replay.replayLsn(), gap, replay.lastReplayTime(), delay, pauseState, paused,
        receiver.status(), receiver.senderHost(), receiver.senderPort(), allNotes);
  }

  private record Replay(int versionNum, boolean inRecovery, OffsetDateTime serverTime,
      String replayLsn, Long gapBytes, OffsetDateTime lastReplayTime, Double sinceReplaySeconds) {}

  /** The receiver columns are all NULL (LEFT JOIN) when no WAL receiver process runs. */
  private record Receiver(String pauseState, String status, String senderHost, Integer senderPort) {
    static final Receiver NONE = new Receiver(null, null, null, null);
  }

  private static Replay toReplay(Row row) {
    return new Replay(row.getInteger("version_num"), row.getBoolean("in_recovery"),
        row.getOffsetDateTime("server_time"), row.getString("replay_lsn"), row.getLong("gap_bytes"),
        row.getOffsetDateTime("last_replay_time"), row.getDouble("since_replay_seconds"));
  }

  private static Receiver toReceiver(Row row) {
    return new Receiver(row.getString("pause_state"), row.getString("status"), row.getString("sender_host"),
        row.getInteger("sender_port"));
  }
}
