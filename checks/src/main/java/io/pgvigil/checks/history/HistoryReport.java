package io.pgvigil.checks.history;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of comparing one database's migration history with the
 * repository's migrations.
 *
 * @param historyTable the qualified history table, e.g. {@code public.flyway_schema_history}
 * @param applied      migrations the history records as applied successfully
 * @param pending      migrations in the repository not applied yet, counted even while a
 *                     migration is in progress
 * @param problems     every disagreement, pending ones included, in version order
 * @param appliedMigrations what a replay of the applied history runs, in order: Flyway's
 *                     successfully applied versions, Prisma's finished migration names; while a
 *                     migration is in progress, pending migrations and the row being applied
 *                     are left out (they are its work, not drift)
 */
public record HistoryReport(
    MigrationTool tool,
    String historyTable,
    int applied,
    int pending,
    Optional<MigrationInProgress> inProgress,
    List<HistoryProblem> problems,
    List<String> appliedMigrations,
    Instant checkedAt) {

  public HistoryReport {
    problems = List.copyOf(problems);
    appliedMigrations = List.copyOf(appliedMigrations);
  }

  /**
   * The last migration the history says was applied successfully (Flyway's highest version,
   * Prisma's last name), or null: where a replay of the applied history stops.
   */
  public String head() {
    return appliedMigrations.isEmpty() ? null : appliedMigrations.get(appliedMigrations.size() - 1);
  }

  public boolean clean() {
    return problems.isEmpty();
  }

  public long count(HistoryProblemKind kind) {
    return problems.stream().filter(p -> p.kind() == kind).count();
  }
}
