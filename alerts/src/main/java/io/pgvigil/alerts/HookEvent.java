package io.pgvigil.alerts;

import java.time.Instant;
import java.util.List;

/**
 * What a kill-switch hook is told: which rule tripped on which target, and what the daemon did.
 *
 * @param action what the kill switch did: {@code abort}
 * @param windowId the migration window's id, or {@code null} outside a window
 * @param pids the backends the abort cancels (the migration's; none when nothing is cancelled)
 */
public record HookEvent(String target, String rule, String action, Severity severity,
    String value, String threshold, String windowId, List<Integer> pids, String summary, Instant at) {

  public HookEvent {
    pids = pids == null ? List.of() : List.copyOf(pids);
  }
}
