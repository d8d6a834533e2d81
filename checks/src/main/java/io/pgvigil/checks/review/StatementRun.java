package io.pgvigil.checks.review;

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
 */
public record StatementRun(int number, int line, String command, boolean transactional,
    Map<String, String> locks, String lockTimeout, String statementTimeout) {

  public StatementRun {
    locks = Map.copyOf(locks);
  }
}
