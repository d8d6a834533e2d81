package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.LockQueue;

/**
 * The waiting DDL request a kill-switch decision in a window that names no backend is about, as
 * the lock poll saw it: for a cancel, the request cancelled; for a terminate, the request whose
 * queue that idle root held up. Part of the audit ({@code GET /api/v1/aborts}) and of the alert.
 *
 * @param pid      the backend waiting for the lock
 * @param relation the relation, schema-qualified
 * @param mode     the lock mode it waits for, e.g. {@code AccessExclusiveLock}
 * @param queued   how many sessions queued behind it
 */
public record StalledRequest(int pid, String relation, String mode, int queued) {

  static StalledRequest of(LockQueue q) {
    return new StalledRequest(q.pid(), q.relation(), q.mode(), q.depth());
  }

  /** E.g. {@code the AccessExclusiveLock request of pid 42 on public.accounts (3 queued behind it)}. */
  String describe() {
    return "the " + mode + " request of pid " + pid + " on " + relation + " (" + queued + " queued behind it)";
  }
}
