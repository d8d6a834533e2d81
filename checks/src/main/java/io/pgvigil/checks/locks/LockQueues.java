package io.pgvigil.checks.locks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Finds the queues behind waiting DDL lock requests: a relation lock request in a mode DDL takes.
 *
 * <p>PostgreSQL grants locks in arrival order: later requests that conflict with a waiting one wait behind
 * it even if the holders would let them through (manual, "Explicit Locking"; the lock manager README), so a
 * waiting AccessExclusiveLock stops every reader of the table. And while it waits its transaction keeps the
 * locks it took before: a migration that altered {@code hot} and waits in {@code ALTER TABLE cold} holds up
 * the readers of {@code hot} too.
 *
 * <p>The queue of a request is every session waiting for a relation lock, on any table, that names the
 * requesting backend in {@code pg_blocking_pids()} (which names every conflicting holder and waiter ahead):
 * cancelling the request lets them through. Sessions further down wait for someone else. Its cost is the
 * sum of their waits so far. Row-lock waits ({@code transactionid}, {@code tuple}) are never a queue, for the
 * request or behind it: they are waits between application sessions, whatever the mode's name.
 */
final class LockQueues {

  /**
   * ShareUpdateExclusiveLock and stronger (manual, "Explicit Locking"): what ALTER TABLE, DROP, TRUNCATE,
   * VACUUM FULL, REINDEX, REFRESH … CONCURRENTLY, CREATE TRIGGER, CREATE INDEX [CONCURRENTLY] and VALIDATE
   * CONSTRAINT take. The weaker three are what reads and writes take.
   */
  static final Set<String> DDL_MODES = Set.of("AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock",
      "ShareLock", "ShareUpdateExclusiveLock");

  private LockQueues() {}

  static List<LockQueue> of(LockSnapshot snapshot, UnaryOperator<String> text) {
    List<LockQueue> queues = new ArrayList<>();
    for (Session head : snapshot.sessions()) {
      LockRequest request = head.waitingFor();
      if (!ddlRequest(request)) {
        continue;
      }
      List<QueuedSession> queued = new ArrayList<>();
      double cost = 0;
      for (Session waiter : snapshot.sessions()) {
        if (waiter.pid() != head.pid() && waiter.blockedBy().contains(head.pid())
            && relationWait(waiter.waitingFor())) {
          double waiting = snapshot.secondsSince(waiter.waitStart());
          cost += waiting;
          LockRequest asked = waiter.waitingFor();
          queued.add(new QueuedSession(waiter.pid(), waiter.user(), waiter.applicationName(), waiting,
              asked.mode(), asked.relation(), text.apply(waiter.query())));
        }
      }
      queued.sort(Comparator.comparingDouble(QueuedSession::waitingSeconds).reversed()
          .thenComparingInt(QueuedSession::pid));
      queues.add(new LockQueue(head.pid(), head.user(), head.applicationName(), request.locktype(),
          request.mode(), request.relation(), snapshot.secondsSince(request.waitStart()), text.apply(head.query()),
          head.blockedBy(), queued.size(), cost, queued, head.backendStart()));
    }
    queues.sort(Comparator.comparingDouble(LockQueue::costSeconds).reversed()
        .thenComparing(Comparator.comparingInt(LockQueue::depth).reversed()));
    return queues;
  }

  /** A relation lock request in a mode DDL takes, on a relation of this database. */
  static boolean ddlRequest(LockRequest request) {
    return request != null && "relation".equals(request.locktype()) && request.relation() != null
        && DDL_MODES.contains(request.mode());
  }

  /** A wait for a relation lock (on any relation): not for a row, an advisory lock or a transaction. */
  private static boolean relationWait(LockRequest waiter) {
    return waiter != null && "relation".equals(waiter.locktype());
  }
}
