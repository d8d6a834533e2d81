package io.pgvigil.checks.migration;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The only code in pgvigil that touches other sessions. Every signal is guarded in the same
 * statement that sends it: the pid must still belong to the backend pgvigil saw (same
 * {@code backend_start}, compared exactly; PostgreSQL keeps microseconds), so a pid reused by a new
 * session between detection and action is never hit, and the session must still be in the state
 * the decision was made on.
 *
 * <p>Only {@code backend_type = 'client backend'} is ever signalled: that rule alone excludes
 * autovacuum workers, WAL senders (replication connections, physical and logical), background
 * workers and the checkpointer. pgvigil's own backend is excluded too.
 *
 * <p>Privileges: a non-superuser needs {@code pg_signal_backend} to signal another role's backend,
 * and only a superuser can signal a superuser's (PostgreSQL manual, "Server Signaling Functions").
 */
public final class BackendSignals {

  /* Cancelling an idle session does nothing useful: only an active statement is cancelled. */
  private static final String CANCEL = """
      SELECT pg_cancel_backend(a.pid) AS signalled
      FROM pg_stat_activity a
      WHERE a.pid = $1
        AND a.backend_start = $2
        AND a.state = 'active'
        AND a.backend_type = 'client backend'
        AND a.pid <> pg_backend_pid()
      """;

  /*
   * Idle in transaction (or aborted) for at least $3 microseconds since its last state change, its
   * role allowlisted, and blocking someone: right now, or seen blocking at $5 and idle in the same
   * transaction ever since (its state has not changed since before $5, so it still holds every lock
   * it held then). A session that blocks nobody does no harm. pg_blocking_pids() is only called
   * for sessions waiting on a lock.
   */
  private static final String TERMINATE_IDLE_BLOCKER = """
      SELECT pg_terminate_backend(a.pid) AS signalled
      FROM pg_stat_activity a
      WHERE a.pid = $1
        AND a.backend_start = $2
        AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')
        AND a.state_change <= clock_timestamp() - $3::int8 * interval '1 microsecond'
        AND a.usename::text = ANY($4::text[])
        AND a.backend_type = 'client backend'
        AND a.pid <> pg_backend_pid()
        AND (a.state_change <= $5::timestamptz
             OR EXISTS (
               SELECT 1 FROM pg_locks w
               WHERE NOT w.granted AND a.pid = ANY(pg_blocking_pids(w.pid))
             ))
      """;

  private static final String PERMISSION_DENIED = "42501";

  /**
   * Cancels the statement running on {@code pid}, if that backend is still the one started at
   * {@code backendStart} and is active. Its transaction rolls back; the session stays.
   */
  public Future<SignalResult> cancel(SqlClient client, int pid, OffsetDateTime backendStart) {
    return client.preparedQuery(CANCEL)
        .mapping(row -> row.getBoolean("signalled"))
        .execute(Tuple.of(pid, backendStart))
        .map(rows -> rows.size() == 0
            ? new SignalResult(SignalOutcome.REFUSED_GUARD, pid, "not cancelled: pid " + pid
                + " started at " + backendStart + " is no longer an active client backend (gone, reused or idle)")
            : signalled(rows.iterator().next(), SignalOutcome.CANCELLED, pid, "cancel"))
        .recover(failure -> denied(failure, pid, "cancel"));
  }

  /**
   * Terminates {@code pid} if it is still the backend started at {@code backendStart}, idle in
   * transaction for at least {@code minIdleInTransaction}, logged in as one of {@code allowedRoles}
   * and blocking another session. An empty allowlist refuses everything.
   */
  public Future<SignalResult> terminateIdleBlocker(SqlClient client, int pid, OffsetDateTime backendStart,
      Duration minIdleInTransaction, List<String> allowedRoles) {
    return terminateIdleBlocker(client, pid, backendStart, minIdleInTransaction, allowedRoles, null);
  }

  /**
   * As above, also when it blocks nobody right now but was seen blocking at {@code seenBlockingAt}
   * (server time of a lock poll) and has stayed idle in that transaction since: after the kill
   * switch cancels the migration the blocker waits for nobody, yet holds the locks that stalled it.
   */
  public Future<SignalResult> terminateIdleBlocker(SqlClient client, int pid, OffsetDateTime backendStart,
      Duration minIdleInTransaction, List<String> allowedRoles, OffsetDateTime seenBlockingAt) {
    if (minIdleInTransaction.isNegative()) {
      throw new IllegalArgumentException("minIdleInTransaction was " + minIdleInTransaction + " but must be >= 0");
    }
    if (allowedRoles.isEmpty()) {
      return Future.succeededFuture(new SignalResult(SignalOutcome.REFUSED_POLICY, pid,
          "not terminated: no roles are allowed to be terminated (empty allowlist)"));
    }
    long micros = minIdleInTransaction.truncatedTo(ChronoUnit.MICROS).toNanos() / 1_000;
    return client.preparedQuery(TERMINATE_IDLE_BLOCKER)
        .mapping(row -> row.getBoolean("signalled"))
        .execute(Tuple.of(pid, backendStart, micros, allowedRoles.toArray(String[]::new), seenBlockingAt))
        .map(rows -> rows.size() == 0
            ? new SignalResult(SignalOutcome.REFUSED_GUARD, pid, "not terminated: pid " + pid + " started at "
                + backendStart + " is not a client backend of an allowed role " + allowedRoles
                + ", idle in transaction for at least " + minIdleInTransaction + " and blocking another session"
                + (seenBlockingAt == null ? "" : " (now, or since it was seen blocking at " + seenBlockingAt + ")"))
            : signalled(rows.iterator().next(), SignalOutcome.TERMINATED, pid, "terminate"))
        .recover(failure -> denied(failure, pid, "terminate"));
  }

  private static SignalResult signalled(Boolean sent, SignalOutcome success, int pid, String action) {
    return Boolean.TRUE.equals(sent)
        ? new SignalResult(success, pid, action + " signal sent to pid " + pid)
        : new SignalResult(SignalOutcome.NOT_DELIVERED, pid, action + " signal not delivered to pid " + pid
            + ": the server could not signal it (it may have just exited)");
  }

  private static Future<SignalResult> denied(Throwable failure, int pid, String action) {
    if (failure instanceof PgException pg && PERMISSION_DENIED.equals(pg.getSqlState())) {
      return Future.succeededFuture(new SignalResult(SignalOutcome.DENIED, pid, "permission denied to " + action
          + " pid " + pid + ": pgvigil's role needs pg_signal_backend (and only a superuser can signal a"
          + " superuser's backend): " + pg.getErrorMessage()));
    }
    return Future.failedFuture(failure);
  }
}
