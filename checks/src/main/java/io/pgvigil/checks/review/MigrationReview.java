package io.pgvigil.checks.review;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The review of one pending migration.
 *
 * @param file       as in {@link PendingMigration#file()}
 * @param reviewed   false when an earlier pending migration failed, so this one was not run
 * @param statements what each statement did, in order, up to a failing one
 * @param findings   in statement order
 * @param notes      what the review did differently from a plain transaction, for people
 * @param liveNames  the tables the migration starts with, by their name then (as in {@link Finding#table()}), to
 *                   their name on live, matched by oid (an earlier pending migration may have renamed one); empty
 *                   when not known
 * @param newTables  the tables the migration starts with that live does not have: an earlier pending migration
 *                   creates them
 */
public record MigrationReview(String file, boolean reviewed, List<StatementRun> statements,
    List<Finding> findings, List<String> notes, Map<String, String> liveNames, Set<String> newTables) {

  public MigrationReview {
    statements = List.copyOf(statements);
    findings = List.copyOf(findings);
    notes = List.copyOf(notes);
    liveNames = Map.copyOf(liveNames);
    newTables = Set.copyOf(newTables);
  }

  /** Live's names not known. */
  public MigrationReview(String file, boolean reviewed, List<StatementRun> statements, List<Finding> findings,
      List<String> notes) {
    this(file, reviewed, statements, findings, notes, Map.of(), Set.of());
  }

  MigrationReview withLiveNames(Map<String, String> names, Set<String> created) {
    return new MigrationReview(file, reviewed, statements, findings, notes, names, created);
  }

  /** {@code table} (a finding's) as live names it: itself when not known. */
  public String liveName(String table) {
    return liveNames.getOrDefault(table, table);
  }

  static MigrationReview skipped(String file, String why) {
    return new MigrationReview(file, false, List.of(), List.of(), List.of(why));
  }

  public boolean failed() {
    return findings.stream().anyMatch(f -> f.hazard() == Hazard.MIGRATION_FAILS);
  }
}
