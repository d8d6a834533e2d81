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
 *                     successfully applied scripts (paths relative to their location) in the
 *                     history table's installed_rank order, Prisma's finished migration names;
 *                     applied migrations whose file is not here, pending and ignored files are
 *                     left out; while a migration is in progress, the row being applied is left
 *                     out too (it is its work, not drift)
 * @param filesBehind  applied migrations newer than every migration file here (Flyway versions,
 *                     Prisma names), in order: the database is ahead of these files, as after
 *                     every deploy until the new files reach pgvigil. Not drift; while any is
 *                     listed the applied schema cannot be replayed from these files
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

  /** A report with no migration newer than the files. */
  public HistoryReport(MigrationTool tool, String historyTable, int applied, int pending,
      Optional<MigrationInProgress> inProgress, List<HistoryProblem> problems, List<String> appliedMigrations,
      Instant checkedAt) {
    this(tool, historyTable, applied, pending, inProgress, problems, appliedMigrations, List.of(), checkedAt);
  }

  /** Whether the database applied migrations these files do not have yet (see {@code filesBehind}). */
  public boolean filesAreBehind() {
    return !filesBehind.isEmpty();
  }

  /**
   * The last migration a replay of the applied history runs (Flyway's script, Prisma's name), or
   * null.
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
