package io.pgvigil.checks.locks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Finds the queues behind waiting DDL lock requests: a request on a relation, in a mode DDL takes.
 *
 * <p>PostgreSQL grants locks in arrival order: once a request that conflicts with what others will ask for is
 * waiting, later requests that conflict with <em>it</em> wait behind it even if the current holders would let
 * them through (manual, "Explicit Locking" and the lock manager README, "lock queue"). A waiting
 * AccessExclusiveLock therefore stops every reader of the table. And while it waits, its transaction keeps
 * every lock it took before: a migration that ran {@code ALTER TABLE hot …} and now waits in
 * {@code ALTER TABLE cold …} for an idle transaction holds AccessExclusiveLock on {@code hot}, so every reader
 * of {@code hot} waits for it too (the ordinary multi-statement Flyway or Rails migration).
 *
 * <p>The queue of a request is every session waiting for a relation lock, on any table, that names the
 * requesting backend in {@code pg_blocking_pids()}: either because the request is ahead of it in the queue of
 * the same relation, or because the requesting transaction holds a lock that conflicts with its own. Either way
 * it waits for that transaction alone to move, and cancelling the request (its transaction then aborts and
 * releases all its locks) lets it through. Its cost is the sum of their waits so far.
 *
 * <p>Only the sessions that name the request's backend directly: {@code pg_blocking_pids()} names every holder
 * of a conflicting lock and every conflicting waiter ahead, so all who wait for the requesting transaction's
 * locks or queue behind its request do. A session further down waits for someone else: for a session that
 * itself waits for a weaker, non-DDL mode (and behind which only DDL modes can wait, which name their own
 * conflicting holders), or for another waiting DDL request, reported with its own queue.
 *
 * <p>Only relation locks count, for the request and for those queued behind it. An {@code UPDATE} waiting for
 * another transaction's row asks for a {@code ShareLock} on that transaction's id ({@code locktype =
 * 'transactionid'}, then {@code tuple} for the next in line): the mode's name is a DDL's, but it is a row-lock
 * wait between application sessions, never a migration stall; and a session waiting for a row the requesting
 * transaction updated names it, but is a row-lock wait all the same, not queued behind it.
 */
final class LockQueues {

  /**
   * The relation lock modes DDL takes, ShareUpdateExclusiveLock and stronger (manual, "Explicit Locking"):
   * AccessExclusiveLock (most ALTER TABLE, DROP, TRUNCATE, VACUUM FULL, CLUSTER, REINDEX, LOCK), ExclusiveLock
   * (REFRESH MATERIALIZED VIEW CONCURRENTLY), ShareRowExclusiveLock (CREATE TRIGGER, ALTER TABLE ADD FOREIGN
   * KEY), ShareLock (CREATE INDEX) and ShareUpdateExclusiveLock (CREATE INDEX CONCURRENTLY, ALTER TABLE
   * VALIDATE CONSTRAINT, SET STATISTICS, ANALYZE). The weaker three are what reads and writes take.
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
