package io.pgvigil.checks.locks;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A waiting DDL lock request and the sessions queued behind it (see {@link LockQueues}). With at least one session
 * queued it is the stall: the ALTER waits for an idle transaction, and the table's queries wait for the ALTER.
 *
 * @param pid             the backend asking for the DDL lock (the migration, usually)
 * @param mode            one of {@link LockQueues#DDL_MODES}
 * @param relation        the relation, schema-qualified, or null
 * @param blockedBy       what it waits for ({@code pg_blocking_pids()})
 * @param depth           how many sessions queue behind it (on any relation)
 * @param costSeconds     blocked-backend-seconds so far: the sum of the queued sessions' waits
 * @param queued          the sessions behind it, longest waiting first
 * @param backendStart    the requesting backend's {@code backend_start}: with the pid, what guards a cancel
 */
public record LockQueue(int pid, String user, String applicationName, String locktype, String mode, String relation,
    double waitingSeconds, String query, List<Integer> blockedBy, int depth, double costSeconds,
    List<QueuedSession> queued, OffsetDateTime backendStart) {

  public LockQueue {
    blockedBy = List.copyOf(blockedBy);
    queued = List.copyOf(queued);
  }

  /** Whether anyone queues behind the request: only then is it a stall. */
  public boolean stalls() {
    return depth > 0;
  }
}
