package io.pgvigil.checks.locks;

import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One backend as {@code pg_stat_activity} showed it at the snapshot, with what it waits for.
 *
 * @param user            {@code usename}; null for background workers without a role
 * @param database        {@code datname}; null for processes not bound to a database
 * @param state           {@code active}, {@code idle in transaction}, … (null for some background processes)
 * @param backendStart    when the connection started (with the pid, identifies the backend)
 * @param xactStart       when its transaction started, or null outside a transaction
 * @param query           the statement text, cut to 200 characters (possibly with literals redacted later)
 * @param blockedBy       {@code pg_blocking_pids(pid)}: only computed for sessions waiting on a lock, else empty
 * @param waitingFor      the lock it requested and has not been granted, or null
 * @param progress        index build or CLUSTER / VACUUM FULL progress, or null
 */
public record Session(int pid, String user, String applicationName, String database, String backendType, String state,
    OffsetDateTime backendStart, OffsetDateTime xactStart, OffsetDateTime queryStart, OffsetDateTime stateChange,
    String waitEventType, String waitEvent, String query, List<Integer> blockedBy, LockRequest waitingFor,
    Progress progress) {

  public Session {
    // pg_blocking_pids() may list a pid twice (parallel workers are reported as their leader; manual,
    // "System Information Functions").
    blockedBy = blockedBy == null ? List.of() : List.copyOf(new LinkedHashSet<>(blockedBy));
  }

  /** Waiting on a heavyweight lock ({@code wait_event_type = 'Lock'}). */
  public boolean waitingOnLock() {
    return "Lock".equals(waitEventType);
  }

  /**
   * {@code idle in transaction}; the aborted variant is not counted: an aborted transaction has
   * already released its locks and snapshot, it only waits for the client's ROLLBACK.
   */
  public boolean idleInTransaction() {
    return "idle in transaction".equals(state);
  }

  public boolean active() {
    return "active".equals(state);
  }

  /** When it began waiting for its lock: {@code pg_locks.waitstart}, or null when unknown. */
  public OffsetDateTime waitStart() {
    return waitingFor == null ? null : waitingFor.waitStart();
  }
}
