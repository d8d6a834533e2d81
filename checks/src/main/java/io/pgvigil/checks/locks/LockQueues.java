package io.pgvigil.checks.locks;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Finds the queues behind waiting strong lock requests.
 *
 * <p>PostgreSQL grants locks in arrival order: once a request that conflicts with what others will ask for is
 * waiting, later requests that conflict with <em>it</em> wait behind it even if the current holders would let
 * them through (manual, "Explicit Locking" and the lock manager README, "lock queue"). A waiting
 * AccessExclusiveLock therefore stops every reader of the table. The queue of a request is the sessions that
 * name it in {@code pg_blocking_pids()} and began waiting after it; its cost is the sum of their waits so far.
 */
final class LockQueues {

  /**
   * The modes DDL takes and ordinary reads/writes conflict with: AccessExclusiveLock (most ALTER TABLE, DROP,
   * TRUNCATE, VACUUM FULL, CLUSTER, REINDEX, LOCK), ExclusiveLock (REFRESH MATERIALIZED VIEW CONCURRENTLY),
   * ShareRowExclusiveLock (CREATE TRIGGER, ALTER TABLE ADD FOREIGN KEY) and ShareLock (CREATE INDEX).
   * ShareUpdateExclusiveLock (CREATE INDEX CONCURRENTLY, VACUUM, ANALYZE) is left out: it does not conflict
   * with reads or writes, so nothing of the application queues behind it.
   */
  static final Set<String> STRONG_MODES = Set.of("AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock",
      "ShareLock");

  private LockQueues() {}

  static List<LockQueue> of(LockSnapshot snapshot, UnaryOperator<String> text) {
    List<LockQueue> queues = new ArrayList<>();
    for (Session head : snapshot.sessions()) {
      LockRequest request = head.waitingFor();
      if (request == null || !STRONG_MODES.contains(request.mode())) {
        continue;
      }
      List<QueuedSession> queued = new ArrayList<>();
      double cost = 0;
      for (Session waiter : snapshot.sessions()) {
        if (waiter.pid() != head.pid() && waiter.blockedBy().contains(head.pid())
            && after(waiter.waitStart(), request.waitStart())) {
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
          head.blockedBy(), queued.size(), cost, queued));
    }
    queues.sort(Comparator.comparingDouble(LockQueue::costSeconds).reversed()
        .thenComparing(Comparator.comparingInt(LockQueue::depth).reversed()));
    return queues;
  }

  /**
   * Whether a wait began after the head's. An unknown start ({@code waitstart} is null for an instant after a
   * wait begins) counts as later for the waiter and as earliest for the head: both just mean "new".
   */
  private static boolean after(OffsetDateTime waiter, OffsetDateTime head) {
    return head == null || waiter == null || waiter.isAfter(head);
  }
}
