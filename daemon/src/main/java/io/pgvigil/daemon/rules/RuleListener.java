package io.pgvigil.daemon.rules;

import java.util.List;

/**
 * Told, after every evaluation of one source of a target's conditions, which rules are not at
 * normal. Called on the target's event loop; must not block.
 */
@FunctionalInterface
public interface RuleListener {

  /**
   * @param verdicts every rule and object of the source at WARN or ABORT now; one that was listed
   *                 before and is missing now has returned to normal (resolved)
   */
  void evaluated(String target, Source source, List<RuleVerdict> verdicts);
}
