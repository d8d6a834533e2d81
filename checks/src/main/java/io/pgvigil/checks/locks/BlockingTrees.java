package io.pgvigil.checks.locks;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Builds {@link BlockingTree}s from the {@code pg_blocking_pids()} edges of a snapshot.
 *
 * <p>The edges are walked, not trusted to point at the root: a reader queued behind a waiting ALTER names
 * the ALTER (whose request conflicts and is ahead of it), and only the ALTER names the idle session that
 * holds everyone up (manual, "pg_blocking_pids"; SPEC "Known traps"). A waiter with several blockers makes a
 * DAG; each session is visited once per tree (breadth-first, so at its shallowest depth). A cycle (a deadlock
 * PostgreSQL has not yet broken, it checks after {@code deadlock_timeout}) has no root: its waiters get a tree
 * rooted at their lowest pid, marked as waiting, so they are never lost and the walk always ends.
 */
final class BlockingTrees {

  private BlockingTrees() {}

  static List<BlockingTree> of(LockSnapshot snapshot, UnaryOperator<String> text) {
    Map<Integer, Session> sessions = snapshot.byPid();
    Map<Integer, Set<Integer>> blocks = new TreeMap<>();
    Set<Integer> blocked = new TreeSet<>();
    for (Session session : snapshot.sessions()) {
      for (int blocker : session.blockedBy()) {
        blocks.computeIfAbsent(blocker, pid -> new TreeSet<>()).add(session.pid());
        blocked.add(session.pid());
      }
    }
    List<BlockingTree> trees = new ArrayList<>();
    Set<Integer> reached = new HashSet<>();
    for (int root : blocks.keySet()) {
      if (!blocked.contains(root)) {
        trees.add(walk(root, false, sessions, blocks, reached, snapshot, text));
      }
    }
    for (int waiter : blocked) {
      if (!reached.contains(waiter)) {
        trees.add(walk(waiter, true, sessions, blocks, reached, snapshot, text));
      }
    }
    trees.sort(Comparator.comparingInt((BlockingTree tree) -> tree.blocked().size()).reversed()
        .thenComparing(tree -> -tree.root().transactionSeconds()));
    return trees;
  }

  private static BlockingTree walk(int root, boolean cycle, Map<Integer, Session> sessions,
      Map<Integer, Set<Integer>> blocks, Set<Integer> reached, LockSnapshot snapshot, UnaryOperator<String> text) {
    List<BlockedSession> found = new ArrayList<>();
    Set<Integer> visited = new HashSet<>(Set.of(root));
    Deque<int[]> next = new ArrayDeque<>();
    next.add(new int[] {root, 0});
    int maxDepth = 0;
    while (!next.isEmpty()) {
      int[] at = next.poll();
      for (int pid : blocks.getOrDefault(at[0], Set.of())) {
        if (visited.add(pid)) {
          int depth = at[1] + 1;
          maxDepth = Math.max(maxDepth, depth);
          found.add(blockedSession(sessions.get(pid), depth, snapshot, text));
          next.add(new int[] {pid, depth});
        }
      }
    }
    reached.addAll(visited);
    found.sort(Comparator.comparingInt(BlockedSession::depth)
        .thenComparing(Comparator.comparingDouble(BlockedSession::waitingSeconds).reversed())
        .thenComparingInt(BlockedSession::pid));
    return new BlockingTree(rootBlocker(root, sessions.get(root), cycle, snapshot, text), found, maxDepth);
  }

  private static RootBlocker rootBlocker(int pid, Session session, boolean cycle, LockSnapshot snapshot,
      UnaryOperator<String> text) {
    if (session == null) {
      // A prepared transaction (pid 0), or a session that ended between the two halves of the snapshot.
      return new RootBlocker(pid, null, null, pid == 0 ? "prepared transaction" : null, null, 0, 0, null, cycle, null);
    }
    return new RootBlocker(pid, session.user(), session.applicationName(), session.state(), session.backendType(),
        snapshot.secondsSince(session.xactStart()), snapshot.secondsSince(session.stateChange()),
        text.apply(session.query()), cycle, session.backendStart());
  }

  /** Every session reached has {@code blockedBy} entries, so it was seen by the probe. */
  static BlockedSession blockedSession(Session session, int depth, LockSnapshot snapshot, UnaryOperator<String> text) {
    LockRequest request = session.waitingFor();
    return new BlockedSession(session.pid(), session.user(), session.applicationName(), session.state(),
        snapshot.secondsSince(session.waitStart()), request == null ? null : request.locktype(),
        request == null ? null : request.mode(), request == null ? null : request.relation(),
        text.apply(session.query()), session.blockedBy(), depth);
  }
}
