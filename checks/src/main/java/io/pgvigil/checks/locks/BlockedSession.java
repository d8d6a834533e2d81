package io.pgvigil.checks.locks;

import java.util.List;

/**
 * A session in a {@link BlockingTree}: it waits for a lock, directly or transitively behind the root.
 *
 * @param state           usually {@code active}
 * @param waitingSeconds  how long it has waited for the lock ({@code pg_locks.waitstart}), 0 when unknown
 * @param locktype        what kind of lock it waits for ({@code relation}, {@code transactionid}, …), or null
 * @param relation        the relation, schema-qualified, or null
 * @param query           its statement, cut (and redacted when asked)
 * @param blockedBy       the pids {@code pg_blocking_pids()} names: the holders of conflicting locks and the
 *                        waiters ahead of it in the queue whose requests conflict (so not always the root)
 * @param depth           1 for a session the root blocks directly, 2 behind one of those, …
 */
public record BlockedSession(int pid, String user, String applicationName, String state, double waitingSeconds,
    String locktype, String mode, String relation, String query, List<Integer> blockedBy, int depth) {

  public BlockedSession {
    blockedBy = List.copyOf(blockedBy);
  }
}
