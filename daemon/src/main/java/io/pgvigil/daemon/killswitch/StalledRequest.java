package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.LockQueue;

/**
 * The waiting DDL request a decision is about, as the lock poll saw it: the one cancelled, or the
 * one whose queue a terminated idle root held up.
 *
 * @param relation schema-qualified
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
