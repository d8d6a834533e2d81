package io.pgvigil.checks.review;

import io.pgvigil.checks.review.CatalogState.Relation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a statement does to the rows of tables that already exist: TRUNCATE empties them, an UPDATE, DELETE or MERGE
 * in one statement is an unbatched backfill. The shadow's tables hold no rows, so neither says how many rows: every
 * such statement on a pre-existing table is reported, and {@link Finding#table()} lets the live size grade it.
 */
final class RowHazards {

  private RowHazards() {}

  static List<Finding> evaluate(StatementHazards.Effects e, BeforeStatement facts) {
    List<Finding> findings = new ArrayList<>();
    truncates(e, facts, findings);
    backfills(e, facts, findings);
    return findings;
  }

  /**
   * TRUNCATE gives every table it empties a new relfilenode (manual, TRUNCATE: "creates a new disk file"), those
   * CASCADE reaches included; a table created in the same transaction is emptied in place, and is not ours anyway.
   */
  private static void truncates(StatementHazards.Effects e, BeforeStatement facts, List<Finding> findings) {
    if (!e.command().equals("TRUNCATE")) {
      return;
    }
    List<Relation> emptied = new ArrayList<>();
    for (Relation was : e.previous().relations().values()) {
      Relation is = e.now().relations().get(was.oid());
      if (was.kind() == 'r' && is != null && e.before().tableName(was.oid()) != null && was.filenode() != 0
          && is.filenode() != was.filenode()) {
        emptied.add(is);
      }
    }
    boolean cascade = facts.sql().toUpperCase(Locale.ROOT).matches("(?s).*\\bCASCADE\\b.*");
    for (Relation table : emptied) {
      String mode = lockOr(e, table.oid(), "AccessExclusiveLock");
      List<String> others = emptied.stream().map(Relation::name).filter(n -> !n.equals(table.name())).sorted()
          .toList();
      String with = others.isEmpty() ? ""
          : (cascade ? "; with CASCADE it also empties " : "; it also empties ") + String.join(", ", others);
      findings.add(finding(e, Hazard.TRUNCATE, table.name(), mode, "TRUNCATE empties " + table.name() + " under "
          + HeldLocks.display(mode) + ": every row is gone, for good" + with));
    }
  }

  private static void backfills(StatementHazards.Effects e, BeforeStatement facts, List<Finding> findings) {
    for (long oid : facts.writes()) {
      String table = e.before().tableName(oid);
      if (table == null) {
        continue;
      }
      String mode = lockOr(e, oid, "RowExclusiveLock");
      findings.add(finding(e, Hazard.UNBATCHED_BACKFILL, table, mode, e.command() + " writes " + table
          + " in one statement: every row it changes stays locked until its transaction commits (the "
          + "migration's, unless it runs without one), and its WAL "
          + "reaches the replicas at once (the shadow holds no rows: how many it touches is not known here)"));
    }
  }

  private static String lockOr(StatementHazards.Effects e, long oid, String known) {
    String held = e.heldLocks().get(oid);
    return held != null ? held : known;
  }

  private static Finding finding(StatementHazards.Effects e, Hazard hazard, String table, String mode,
      String message) {
    return new Finding(hazard, e.file(), e.number(), e.line(), table, table, HeldLocks.display(mode), message);
  }
}
