package io.pgvigil.daemon.killswitch.storm;

import io.pgvigil.checks.locks.LockRequest;
import io.pgvigil.checks.locks.LockSnapshot;
import io.pgvigil.checks.locks.Session;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The definition, written down independently of pgvigil's analysis and read straight off
 * the raw rows of one poll: the stall is a waiting relation lock request in a mode DDL takes
 * (ShareUpdateExclusiveLock and stronger) with at least one session queued behind it: a session
 * that itself waits for a relation lock, on that table or any other (a migration that altered
 * {@code hot} and waits on {@code cold} holds up the readers of {@code hot}), and names the
 * requesting backend in {@code pg_blocking_pids()}; a row-lock wait ({@code transactionid},
 * {@code tuple}) never counts. The only sessions that may be terminated are the
 * idle-in-transaction root blockers of such a request, found by walking {@code pg_blocking_pids()}
 * up from it.
 */
final class StallOracle {

  private static final Set<String> DDL_MODES = Set.of("ShareUpdateExclusiveLock", "ShareLock",
      "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock");

  private StallOracle() {}

  /** The waiting DDL requests with a queue in this poll. */
  static Set<Integer> stalledRequests(LockSnapshot snapshot) {
    Set<Integer> heads = new HashSet<>();
    for (Session head : snapshot.sessions()) {
      if (!queuedBehind(snapshot, head).isEmpty()) {
        heads.add(head.pid());
      }
    }
    return heads;
  }

  /** Whether a stall's queue holds a session waiting for another table than the request's own. */
  static boolean queuedOnAnotherTable(LockSnapshot snapshot) {
    return snapshot.sessions().stream().anyMatch(head -> queuedBehind(snapshot, head).stream()
        .anyMatch(q -> !head.waitingFor().relation().equals(q.waitingFor().relation())));
  }

  /** The sessions queued behind {@code head}'s request; none when it waits for no DDL lock on a relation. */
  private static List<Session> queuedBehind(LockSnapshot snapshot, Session head) {
    LockRequest r = head.waitingFor();
    if (r == null || !"relation".equals(r.locktype()) || r.relation() == null || !DDL_MODES.contains(r.mode())) {
      return List.of();
    }
    return snapshot.sessions().stream().filter(q -> q.pid() != head.pid()
        && q.waitingFor() != null && "relation".equals(q.waitingFor().locktype())
        && q.blockedBy().contains(head.pid())).toList();
  }

  /** Whether {@code pid}, started at {@code backendStart}, was an idle-in-transaction root blocker of a stall. */
  static boolean mayTerminate(LockSnapshot snapshot, int pid, Instant backendStart) {
    Map<Integer, Session> byPid = snapshot.byPid();
    Session root = byPid.get(pid);
    if (root == null || root.backendStart() == null || !root.backendStart().toInstant().equals(backendStart)
        || root.state() == null || !root.state().startsWith("idle in transaction") || !root.blockedBy().isEmpty()) {
      return false;
    }
    for (int head : stalledRequests(snapshot)) {
      Set<Integer> seen = new HashSet<>();
      Deque<Integer> up = new ArrayDeque<>(byPid.get(head).blockedBy());
      while (!up.isEmpty()) {
        int blocker = up.pop();
        if (blocker == pid) {
          return true;
        }
        Session s = byPid.get(blocker);
        if (seen.add(blocker) && s != null) {
          up.addAll(s.blockedBy());
        }
      }
    }
    return false;
  }

  /** Whether some idle-in-transaction session blocks others without being a stall's root: to be left alone. */
  static boolean idleBlockerOutsideAnyStall(LockSnapshot snapshot) {
    Set<Integer> blockers = new HashSet<>();
    snapshot.sessions().forEach(s -> blockers.addAll(s.blockedBy()));
    return snapshot.sessions().stream().anyMatch(s -> blockers.contains(s.pid()) && s.backendStart() != null
        && "idle in transaction".equals(s.state()) && !mayTerminate(snapshot, s.pid(), s.backendStart().toInstant()));
  }

  /** Whether {@code pid}, started at {@code backendStart}, was a stalled DDL request waiting for {@code mode} on {@code relation}. */
  static boolean mayCancel(LockSnapshot snapshot, int pid, Instant backendStart, String relation, String mode) {
    Session head = snapshot.byPid().get(pid);
    return head != null && head.backendStart() != null && head.backendStart().toInstant().equals(backendStart)
        && stalledRequests(snapshot).contains(pid) && relation.equals(head.waitingFor().relation())
        && mode.equals(head.waitingFor().mode());
  }
}
