package io.pgvigil.checks.locks;

import java.util.List;

/**
 * A root blocker and every session waiting behind it, transitively (see {@link BlockingTrees}).
 *
 * @param blocked  the sessions behind it, by depth then by how long they have waited; each once, at its
 *                 shallowest depth (a session with several blockers may also appear in another tree)
 */
public record BlockingTree(RootBlocker root, List<BlockedSession> blocked, int maxDepth) {

  public BlockingTree {
    blocked = List.copyOf(blocked);
  }
}
