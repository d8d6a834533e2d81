package io.pgvigil.checks.locks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link LockProbe} saw in one poll: the involved sessions and the server's clock when it looked.
 * Every age is computed against {@code serverTime}, never against the daemon's clock.
 *
 * @param serverTime the server's {@code statement_timestamp()}: when the poll started
 * @param database   {@code current_database()}: the database the probe watches
 * @param sessions   sessions waiting on a lock in this database, their blockers (wherever they are),
 *                   idle-in-transaction sessions and active client backends of this database;
 *                   pgvigil's own backend excluded
 */
public record LockSnapshot(OffsetDateTime serverTime, String database, List<Session> sessions) {

  public LockSnapshot {
    sessions = List.copyOf(sessions);
  }

  public Map<Integer, Session> byPid() {
    Map<Integer, Session> byPid = new LinkedHashMap<>();
    sessions.forEach(session -> byPid.put(session.pid(), session));
    return byPid;
  }

  /** Whether the session belongs to the watched database (blockers may come from others). */
  public boolean here(Session session) {
    return database != null && database.equals(session.database());
  }

  /** Seconds from {@code from} to the snapshot; 0 when {@code from} is unknown. */
  public double secondsSince(OffsetDateTime from) {
    return from == null || serverTime == null ? 0 : Math.max(0, Duration.between(from, serverTime).toNanos() / 1e9);
  }
}
