package io.pgvigil.checks.review;

import java.util.List;
import java.util.Map;

/**
 * What one statement of a pending migration did on the shadow.
 *
 * @param transactional false for a statement that cannot run in a transaction and was run on its own
 * @param locks         relation locks held after it on tables that existed before the migration
 *                      (name to strongest mode); empty for a statement run on its own (its locks are gone)
 * @param lockTimeout   {@code SHOW lock_timeout} after it
 * @param statementTimeout {@code SHOW statement_timeout} after it when the migration changed it, else null
 *                      (the review runs with its own, {@link PreflightReview#STATEMENT_TIMEOUT})
 * @param questions     what its success at deploy depends on in the live rows, which the shadow does not hold
 */
public record StatementRun(int number, int line, String command, boolean transactional,
    Map<String, String> locks, String lockTimeout, String statementTimeout, List<DataQuestion> questions) {

  public StatementRun {
    locks = Map.copyOf(locks);
    questions = List.copyOf(questions);
  }

  public StatementRun(int number, int line, String command, boolean transactional, Map<String, String> locks,
      String lockTimeout, String statementTimeout) {
    this(number, line, command, transactional, locks, lockTimeout, statementTimeout, List.of());
  }
}
