package io.pgvigil.checks.locks;

import java.time.OffsetDateTime;
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
 * AccessExclusiveLock therefore stops every reader of the table. The queue of a request is the sessions that
 * wait for a lock on the same relation, name it in {@code pg_blocking_pids()} and began waiting after it; its
 * cost is the sum of their waits so far.
 *
 * <p>Only relation locks count. An {@code UPDATE} waiting for another transaction's row asks for a
 * {@code ShareLock} on that transaction's id ({@code locktype = 'transactionid'}, then {@code tuple} for the
 * next in line): the mode's name is a DDL's, but it is a row-lock wait between application sessions, never a
 * migration stall. A waiter that names the head for another reason (a row lock the head holds) is not queued
 * behind the head's request either.
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
            && sameRelation(waiter.waitingFor(), request) && after(waiter.waitStart(), request.waitStart())) {
          double waiting = snapshot.secondsSince(waiter.waitStart());
          cost += waiting;
          LockRequest asked = waiter.waitingFor();
          queued.add(new QueuedSession(waiter.pid(), waiter.user(), waiter.applicationName(), waiting,
              asked == null ? null : asked.mode(), text.apply(waiter.query())));
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

  private static boolean sameRelation(LockRequest waiter, LockRequest head) {
    return waiter != null && "relation".equals(waiter.locktype()) && head.relation().equals(waiter.relation());
  }

  /**
   * Whether a wait began after the head's. An unknown start ({@code waitstart} is null for an instant after a
   * wait begins) counts as later for the waiter and as earliest for the head: both just mean "new".
   */
  private static boolean after(OffsetDateTime waiter, OffsetDateTime head) {
    return head == null || waiter == null || waiter.isAfter(head);
  }
}
