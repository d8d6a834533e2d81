package io.pgvigil.checks.review;

import java.util.List;

/**
 * The review of one pending migration.
 *
 * @param file       as in {@link PendingMigration#file()}
 * @param reviewed   false when an earlier pending migration failed, so this one was not run
 * @param statements what each statement did, in order, up to a failing one
 * @param findings   in statement order
 * @param notes      what the review did differently from a plain transaction, for people
 */
public record MigrationReview(String file, boolean reviewed, List<StatementRun> statements,
    List<Finding> findings, List<String> notes) {

  public MigrationReview {
    statements = List.copyOf(statements);
    findings = List.copyOf(findings);
    notes = List.copyOf(notes);
  }

  static MigrationReview skipped(String file, String why) {
    return new MigrationReview(file, false, List.of(), List.of(), List.of(why));
  }

  public boolean failed() {
    return findings.stream().anyMatch(f -> f.hazard() == Hazard.MIGRATION_FAILS);
  }
}
