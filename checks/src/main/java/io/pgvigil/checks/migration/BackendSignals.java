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
 * The only code in pgvigil that touches other sessions. Every signal is guarded in the same statement that sends it:
 * the pid must still belong to the backend pgvigil saw (same {@code backend_start}, compared exactly; PostgreSQL keeps
 * microseconds), so a pid reused by a new session between detection and action is never hit, and the session must still
 * be in the state the decision was made on.
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
   * A waiting DDL request, for a window that names no backend: the same guards as CANCEL, and the backend still waits,
   * ungranted, for the lock it was seen waiting for (a relation lock of this database, named as the lock probe names
   * it, in that mode). Once the request is granted, or the session moved on to something else, nothing is cancelled.
   */
  private static final String CANCEL_WAITING_REQUEST = """
      SELECT pg_cancel_backend(a.pid) AS signalled
      FROM pg_stat_activity a
      WHERE a.pid = $1
        AND a.backend_start = $2
        AND a.state = 'active'
        AND a.wait_event_type = 'Lock'
        AND a.backend_type = 'client backend'
        AND a.pid <> pg_backend_pid()
        AND EXISTS (
          SELECT 1
          FROM pg_locks l
          JOIN pg_class c ON c.oid = l.relation
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE l.pid = a.pid AND NOT l.granted AND l.locktype = 'relation' AND l.mode = $4
            AND l.database IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
            AND format('%I.%I', n.nspname, c.relname) = $3)
      """;

  /*
   * Idle in transaction (or aborted) for at least $3 microseconds since its last state change, its role allowlisted,
   * and: when $5 (the server time of the lock poll that saw it blocking) is given, idle in that same state since before
   * $5, so it is still the transaction that was seen and still holds every lock it held then (blocking someone else now
   * is not enough: a session that ran a statement since may be holding up an application session, not the migration);
   * without $5, blocking someone right now. pg_blocking_pids() is only called for sessions waiting on a lock.
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
        AND CASE WHEN $5::timestamptz IS NULL
                 THEN EXISTS (
                   SELECT 1 FROM pg_locks w
                   WHERE NOT w.granted AND a.pid = ANY(pg_blocking_pids(w.pid)))
                 ELSE a.state_change <= $5::timestamptz
            END
      """;

  private static final String PERMISSION_DENIED = "42501";

  /** Cancels {@code pid}'s statement if it is still the backend started at {@code backendStart} and active. */
  public Future<SignalResult> cancel(SqlClient client, int pid, OffsetDateTime backendStart) {
    return signal(client, CANCEL, Tuple.of(pid, backendStart), pid, SignalOutcome.CANCELLED, "cancel",
        "not cancelled: pid " + pid + " started at " + backendStart
            + " is no longer an active client backend (gone, reused or idle)");
  }

  /**
   * Like {@link #cancel}, and only while it still waits for a {@code mode} lock on {@code relation} (named as the
   * lock probe names it): the DDL request at the head of a lock queue, for a migration pgvigil has not identified.
   */
  public Future<SignalResult> cancelWaitingRequest(SqlClient client, int pid, OffsetDateTime backendStart,
      String relation, String mode) {
    return signal(client, CANCEL_WAITING_REQUEST, Tuple.of(pid, backendStart, relation, mode), pid,
        SignalOutcome.CANCELLED, "cancel", "not cancelled: pid " + pid + " started at " + backendStart
            + " no longer waits for " + mode + " on " + relation + " (granted, moved on or gone)");
  }

  /**
   * Terminates {@code pid} if it is still the backend started at {@code backendStart}, idle in
   * transaction for at least {@code minIdleInTransaction}, logged in as one of {@code allowedRoles}
   * (an empty allowlist refuses everything), and: with {@code seenBlockingAt}, a lock poll's server
   * time, idle in that transaction since it was seen blocking then, whoever it blocks now (after the
   * kill switch cancels the migration the blocker waits for nobody, yet holds the locks that stalled
   * it; one that ran a statement since is left for the next poll); with null, blocking someone now.
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
    Tuple arguments = Tuple.of(pid, backendStart, micros, allowedRoles.toArray(String[]::new), seenBlockingAt);
    return signal(client, TERMINATE_IDLE_BLOCKER, arguments, pid, SignalOutcome.TERMINATED, "terminate",
        "not terminated: pid " + pid + " started at " + backendStart + " is not a client backend of an allowed role "
            + allowedRoles + ", idle in transaction for at least " + minIdleInTransaction
            + (seenBlockingAt == null ? " and blocking another session"
                : " and idle in that transaction since it was seen blocking at " + seenBlockingAt));
  }

  /** Runs a guarded signal statement: no row means the guard refused, else whether the signal went out. */
  private static Future<SignalResult> signal(SqlClient client, String sql, Tuple arguments, int pid,
      SignalOutcome success, String action, String refused) {
    return client.preparedQuery(sql)
        .mapping(row -> row.getBoolean("signalled"))
        .execute(arguments)
        .map(rows -> rows.size() == 0 ? new SignalResult(SignalOutcome.REFUSED_GUARD, pid, refused)
            : Boolean.TRUE.equals(rows.iterator().next())
                ? new SignalResult(success, pid, action + " signal sent to pid " + pid)
            : new SignalResult(SignalOutcome.NOT_DELIVERED, pid, action + " signal not delivered to pid "
                + pid + ": the server could not signal it (it may have just exited)"))
        .recover(failure -> denied(failure, pid, action));
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
