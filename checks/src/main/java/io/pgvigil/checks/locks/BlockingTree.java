package io.pgvigil.checks.locks;

import java.util.List;

/**
 * A root blocker and every session waiting behind it, transitively (walking {@code pg_blocking_pids()} edges:
 * a reader queued behind a waiting ALTER names the ALTER, not the idle session the ALTER waits for).
 *
 * @param root     the session holding everyone up
 * @param blocked  the sessions behind it, by depth then by how long they have waited; each once, at its
 *                 shallowest depth (a session with several blockers may also appear in another tree)
 * @param maxDepth the deepest level
 */
public record BlockingTree(RootBlocker root, List<BlockedSession> blocked, int maxDepth) {

  public BlockingTree {
    blocked = List.copyOf(blocked);
  }
}
