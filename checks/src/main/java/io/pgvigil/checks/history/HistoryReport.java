package io.pgvigil.checks.history;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of comparing one database's migration history with the repository's migrations.
 *
 * @param historyTable the qualified history table, e.g. {@code public.flyway_schema_history}
 * @param pending      migrations not applied yet, counted even while a migration is in progress
 * @param problems     every disagreement, pending ones included, in version order
 * @param appliedMigrations what a replay of the applied history runs, in the order live applied
 *                     them: Flyway's scripts (relative to their location), Prisma's names. Left
 *                     out: applied ones whose file is gone, pending and ignored files, and the row
 *                     a migration in progress is applying (its work, not drift)
 * @param filesBehind  applied migrations newer than every file here, in order: the database is
 *                     ahead of these files, as after every deploy until the new files reach
 *                     pgvigil. Not drift, but while any is listed the schema cannot be replayed
 */
public record HistoryReport(
    MigrationTool tool,
    String historyTable,
    int applied,
    int pending,
    Optional<MigrationInProgress> inProgress,
    List<HistoryProblem> problems,
    List<String> appliedMigrations,
    List<String> filesBehind,
    Instant checkedAt) {

  public HistoryReport {
    problems = List.copyOf(problems);
    appliedMigrations = List.copyOf(appliedMigrations);
    filesBehind = List.copyOf(filesBehind);
  }

  public boolean filesAreBehind() {
    return !filesBehind.isEmpty();
  }

  /** The last migration a replay of the applied history runs, or null. */
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
