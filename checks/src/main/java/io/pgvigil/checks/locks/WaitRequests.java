package io.pgvigil.checks.locks;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each waiter asked for, read from {@code pg_locks} once per wait episode (see {@link LockProbe}). Not
 * thread-safe: one poll at a time, as a target's lock watch runs.
 */
final class WaitRequests {

  /**
   * One wait: a backend (pid and {@code backend_start}: pids are reused) waiting in one statement
   * ({@code query_start}) for one kind of lock ({@code wait_event}).
   */
  record Episode(int pid, OffsetDateTime backendStart, OffsetDateTime queryStart, String waitEvent) {

    static Episode of(Session session) {
      return new Episode(session.pid(), session.backendStart(), session.queryStart(), session.waitEvent());
    }
  }

  /** A request read from {@code pg_locks}, and the blockers its waiter had then. */
  private record Known(LockRequest request, Set<Integer> blockers) {}

  private final Duration refresh;
  private final Map<Episode, Known> known = new HashMap<>();
  private OffsetDateTime lastRead;

  /** @param refresh how often at most {@code pg_locks} is read for waiters that hold nobody up */
  WaitRequests(Duration refresh) {
    this.refresh = refresh;
  }

  /**
   * Forgets the waits that ended and returns the waiters whose request must be read now: every waiter not
   * known, if one of them is a queue head or {@code refresh} has passed since the last read; else none.
   */
  List<Session> toRead(LockSnapshot snapshot) {
    Map<Integer, Session> waiters = new HashMap<>();
    Set<Integer> blocking = new HashSet<>();
    for (Session session : snapshot.sessions()) {
      if (session.waitingOnLock()) {
        waiters.put(session.pid(), session);
        blocking.addAll(session.blockedBy());
      }
    }
    Set<Episode> current = new HashSet<>();
    waiters.values().forEach(waiter -> current.add(Episode.of(waiter)));
    known.keySet().retainAll(current);
    List<Session> unknown = waiters.values().stream().filter(waiter -> request(waiter) == null).toList();
    boolean head = unknown.stream().anyMatch(waiter -> blocking.contains(waiter.pid())
        || waiter.blockedBy().stream().anyMatch(blocker -> !waiters.containsKey(blocker)));
    boolean due = lastRead == null || snapshot.serverTime() == null
        || !snapshot.serverTime().isBefore(lastRead.plus(refresh));
    return head || due ? unknown : List.of();
  }

  /** Keeps what was read; a request whose wait start is not set yet is used once and read again. */
  void read(LockSnapshot snapshot, List<Session> waiters, Map<Integer, LockRequest> requests) {
    lastRead = snapshot.serverTime();
    for (Session waiter : waiters) {
      LockRequest request = requests.get(waiter.pid());
      if (request != null && request.waitStart() != null) {
        known.put(Episode.of(waiter), new Known(request, Set.copyOf(waiter.blockedBy())));
      }
    }
  }

  /**
   * The known request of a waiter, or null. A wait is the same while its blockers only leave: a request
   * behind someone new is another lock (the same statement waiting again, on another table).
   */
  LockRequest request(Session waiter) {
    Known request = known.get(Episode.of(waiter));
    return request != null && request.blockers().containsAll(waiter.blockedBy()) ? request.request() : null;
  }
}
