package io.pgvigil.checks.review;

import io.pgvigil.checks.history.MigrationTool;
import java.util.Objects;

/**
 * A migration in the repository that the target has not applied yet, in the order the tool would apply it.
 *
 * @param file the path shown to people and written to reports
 * @param tool how it will be applied: Flyway statement by statement, Prisma as one script
 * @param plan whether the tool runs it in a transaction, as the tool decides ({@link FlywayTransactions})
 */
public record PendingMigration(String file, String sql, MigrationTool tool, TransactionPlan plan) {

  public PendingMigration {
    Objects.requireNonNull(plan, "plan");
  }

  /** A migration whose transaction the tool has not been asked about. */
  public PendingMigration(String file, String sql, MigrationTool tool) {
    this(file, sql, tool, TransactionPlan.UNPLANNED);
  }
}
