package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.BlockingTree;
import io.pgvigil.checks.locks.LockQueue;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.RootBlocker;
import io.pgvigil.daemon.windows.MigrationWindow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The migration's stall as one lock poll saw it: what the kill switch may cancel and whom it may
 * terminate. Nothing else is ever touched: an application session that blocks another one (a row
 * lock, a {@code LOCK} nobody queues behind) is not the migration's business.
 *
 * @param requests  waiting DDL requests with a queue behind them (empty when the window records the
 *                  migration's backend: that one is cancelled instead)
 * @param idleRoots the idle-in-transaction client backends at the roots of the migration's trees
 */
record Stall(List<LockQueue> requests, List<RootBlocker> idleRoots) {

  static final Stall NONE = new Stall(List.of(), List.of());

  /**
   * For windows that name no backend (opened through the API): a relation lock request in a mode
   * DDL takes, with at least one session queued behind it, is the migration, whatever tool sent it.
   */
  static Stall ofDdlQueues(LockReport report) {
    List<LockQueue> requests = report.queues().stream().filter(LockQueue::stalls).toList();
    return new Stall(requests, idleRoots(report, requests.stream().map(LockQueue::pid).collect(Collectors.toSet())));
  }

  List<Integer> requestPids() {
    return requests.stream().map(LockQueue::pid).toList();
  }

  /** For the audit, the (first) stalled request {@code root} holds up; empty for a window's recorded backend. */
  Optional<LockQueue> heldUpBy(RootBlocker root, LockReport report) {
    return report.trees().stream().filter(t -> t.root().pid() == root.pid())
        .flatMap(t -> requests.stream().filter(q -> t.blocked().stream().anyMatch(b -> b.pid() == q.pid())))
        .findFirst();
  }

  /**
   * {@link #ofDdlQueues} of a fresh lock report (null: none), unless an open window records the
   * migration's backend: that one was acted on, and the kill switch does not guess at another beside it.
   */
  static Stall guessed(List<MigrationWindow> open, LockReport report) {
    return report == null || open.stream().anyMatch(w -> w.backendPid() != null) ? NONE : ofDdlQueues(report);
  }

  /** For windows that record the migration's backends: the trees in which one of them waits. */
  static Stall ofMigration(LockReport report, Set<Integer> migrationPids) {
    return report == null ? NONE : new Stall(List.of(), idleRoots(report, migrationPids));
  }

  /**
   * The roots of the trees in which one of {@code waiting} is blocked (directly or through others):
   * idle in transaction, client backends, seen well enough to be guarded (pid + backend_start).
   */
  private static List<RootBlocker> idleRoots(LockReport report, Set<Integer> waiting) {
    Map<Integer, RootBlocker> roots = new LinkedHashMap<>();
    for (BlockingTree tree : report.trees()) {
      RootBlocker root = tree.root();
      if (!waiting.contains(root.pid()) && idleInTransaction(root) && root.backendStart() != null
          && "client backend".equals(root.backendType())
          && tree.blocked().stream().anyMatch(b -> waiting.contains(b.pid()))) {
        roots.putIfAbsent(root.pid(), root);
      }
    }
    return List.copyOf(roots.values());
  }

  private static boolean idleInTransaction(RootBlocker root) {
    return !root.waiting() && root.state() != null && root.state().startsWith("idle in transaction");
  }
}
