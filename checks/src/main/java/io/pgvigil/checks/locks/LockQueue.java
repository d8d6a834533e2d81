package io.pgvigil.checks.locks;

import java.util.List;

/**
 * A waiting DDL lock request (a relation lock in one of {@link LockQueues#DDL_MODES}) and the queue it
 * builds: every session waiting for a relation lock that names the requesting backend in
 * {@code pg_blocking_pids()}, queued behind the request on its relation or blocked by a lock its transaction
 * already holds on another one. With at least one session queued ({@code depth >= 1}) this is the stall: the
 * ALTER waits for one idle transaction, and every query on the table (and on the tables the migration has
 * already altered in the same transaction) queues behind the ALTER.
 *
 * @param pid             the backend asking for the DDL lock (the migration, usually)
 * @param user            its role
 * @param applicationName its {@code application_name}
 * @param locktype        e.g. {@code relation}
 * @param mode            one of {@link LockQueues#DDL_MODES}
 * @param relation        the relation, schema-qualified, or null
 * @param waitingSeconds  how long the request has waited
 * @param query           its statement, cut (and redacted when asked)
 * @param blockedBy       what it waits for ({@code pg_blocking_pids()})
 * @param depth           how many sessions queue behind it (on any relation)
 * @param costSeconds     blocked-backend-seconds so far: the sum of the queued sessions' waits
 * @param queued          the sessions behind it, longest waiting first
 * @param backendStart    the requesting backend's {@code backend_start}: with the pid, what guards a cancel
 */
public record LockQueue(
    int pid,
    String user,
    String applicationName,
    String locktype,
    String mode,
    String relation,
    double waitingSeconds,
    String query,
    List<Integer> blockedBy,
    int depth,
    double costSeconds,
    List<QueuedSession> queued,
    java.time.OffsetDateTime backendStart) {

  public LockQueue {
    blockedBy = List.copyOf(blockedBy);
    queued = List.copyOf(queued);
  }

  /** Whether anyone queues behind the request: only then is it a stall. */
  public boolean stalls() {
    return depth > 0;
  }
}
