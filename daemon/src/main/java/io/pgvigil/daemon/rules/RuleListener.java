package io.pgvigil.daemon.rules;

import java.util.List;

/**
 * Told after each evaluation of one source every rule and object at WARN or ABORT; one listed before
 * and missing now is back to normal. Called on the target's event loop; must not block.
 */
@FunctionalInterface
public interface RuleListener {

  void evaluated(String target, Source source, List<RuleVerdict> verdicts);
}
