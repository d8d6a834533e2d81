package io.pgvigil.checks.review;

import io.pgvigil.checks.review.CatalogState.Column;
import io.pgvigil.checks.review.CatalogState.ColumnKey;
import io.pgvigil.checks.review.CatalogState.Constraint;
import io.pgvigil.checks.review.CatalogState.Relation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns what one statement did to the shadow into findings. Only objects that existed before
 * the migration started count: what the migration creates itself has no rows and no readers.
 */
final class StatementHazards {

  /**
   * What one statement did.
   *
   * @param before      the catalog when the migration started
   * @param previous    the catalog before this statement
   * @param now         the catalog after it
   * @param newLocks    locks on tables of {@code before} that this statement took or strengthened
   * @param heldLocks   every lock held after it
   * @param lockTimeout {@code SHOW lock_timeout} after it
   */
  record Effects(String file, int number, int line, String command, boolean transactional, CatalogState before,
      CatalogState previous, CatalogState now, Map<Long, String> newLocks, Map<Long, String> heldLocks,
      String lockTimeout) {}

  private StatementHazards() {}

  static List<Finding> evaluate(Effects e) {
    List<Finding> findings = new ArrayList<>();
    Set<Long> rewritten = rewrites(e, findings);
    indexes(e, rewritten, findings);
    reindexes(e, rewritten, findings);
    constraints(e, findings);
    notNull(e, rewritten, findings);
    lockTimeout(e, findings);
    dropsAndRenames(e, findings);
    return findings;
  }

  /** A new relfilenode is a new copy of the table: a rewrite (TRUNCATE too, but it copies nothing). */
  private static Set<Long> rewrites(Effects e, List<Finding> findings) {
    Set<Long> rewritten = new HashSet<>();
    if (e.command().equals("TRUNCATE")) {
      return rewritten;
    }
    for (Relation was : e.previous().relations().values()) {
      Relation is = e.now().relations().get(was.oid());
      if (!was.isTable() || is == null || !e.before().relations().containsKey(was.oid())
          || was.filenode() == 0 || is.filenode() == was.filenode()) {
        continue;
      }
      rewritten.add(was.oid());
      String mode = lockOr(e, was.oid(), "AccessExclusiveLock");
      findings.add(finding(e, Hazard.TABLE_REWRITE, is.name(), is.name(), mode, e.command() + " rewrites " + is.name()
          + " and its indexes under " + HeldLocks.display(mode) + ": reads and writes wait for the whole copy"));
    }
    return rewritten;
  }

  /** A new index on an existing table, built inside a transaction, i.e. not CONCURRENTLY. */
  private static void indexes(Effects e, Set<Long> rewritten, List<Finding> findings) {
    if (!e.transactional()) {
      return;
    }
    for (Map.Entry<Long, Long> index : e.now().indexes().entrySet()) {
      long table = index.getValue();
      if (e.previous().indexes().containsKey(index.getKey()) || rewritten.contains(table)
          || e.before().tableName(table) == null) {
        continue;
      }
      String mode = lockOr(e, table, "ShareLock");
      Relation created = e.now().relations().get(index.getKey());
      String name = e.now().tableName(table);
      findings.add(finding(e, Hazard.INDEX_WITHOUT_CONCURRENTLY, name, name, mode, e.command() + " builds index "
          + (created == null ? "" : created.name() + " ") + "on " + name + " under " + HeldLocks.display(mode)
          + ": writes wait for the whole build"));
    }
  }

  /**
   * An index that existed before the migration got a new file while its table did not: it was rebuilt in place (REINDEX
   * without CONCURRENTLY; REINDEX CONCURRENTLY builds a new index instead). Its table is held in SHARE and the index in
   * ACCESS EXCLUSIVE for the whole build, and the planner locks every index of a table it plans for, so reads wait too
   * (manual, REINDEX). Run on its own (REINDEX SCHEMA), the locks are gone when we look: SHARE is what it took.
   */
  private static void reindexes(Effects e, Set<Long> rewritten, List<Finding> findings) {
    if (e.command().equals("TRUNCATE")) {
      return;
    }
    Map<Long, List<String>> rebuilt = new TreeMap<>();
    for (Relation was : e.previous().relations().values()) {
      Relation is = e.now().relations().get(was.oid());
      Long table = e.now().indexes().get(was.oid());
      if (was.kind() != 'i' || is == null || table == null || !e.before().relations().containsKey(was.oid())
          || was.filenode() == 0 || is.filenode() == was.filenode() || rewritten.contains(table)
          || e.before().tableName(table) == null) {
        continue;
      }
      rebuilt.computeIfAbsent(table, t -> new ArrayList<>()).add(is.name());
    }
    for (Map.Entry<Long, List<String>> table : rebuilt.entrySet()) {
      String name = e.now().tableName(table.getKey());
      String mode = lockOr(e, table.getKey(), "ShareLock");
      List<String> indexes = table.getValue().stream().sorted().toList();
      findings.add(finding(e, Hazard.REINDEX_WITHOUT_CONCURRENTLY, name, name, mode, e.command() + " rebuilds "
          + (indexes.size() == 1 ? "index " : "indexes ") + String.join(", ", indexes) + " of " + name + " under "
          + HeldLocks.display(mode) + " on the table and ACCESS EXCLUSIVE on the index: writes wait for the whole "
          + "build, and so do reads (the planner locks every index of the table)"));
    }
  }

  /** A FOREIGN KEY or CHECK that is born validated on an existing table was checked against every row. */
  private static void constraints(Effects e, List<Finding> findings) {
    if (!e.transactional() && e.command().equals("ALTER TABLE")) {
      return; // DETACH PARTITION CONCURRENTLY copies the partition bound as a CHECK, with no scan (manual, ALTER TABLE)
    }
    for (Constraint c : e.now().constraints().values()) {
      if (e.previous().constraints().containsKey(c.oid()) || e.before().tableName(c.table()) == null
          || (c.type() != 'f' && c.type() != 'c') || !c.validated()) {
        continue;
      }
      String table = e.now().tableName(c.table());
      String mode = lockOr(e, c.table(), c.type() == 'f' ? "ShareRowExclusiveLock" : "AccessExclusiveLock");
      findings.add(finding(e, Hazard.CONSTRAINT_VALIDATES_EXISTING_ROWS, table, table + "." + c.name(), mode,
          (c.type() == 'f' ? "FOREIGN KEY " : "CHECK ") + c.name() + " is validated against every row of " + table
              + " under " + HeldLocks.display(mode)));
    }
  }

  private static void notNull(Effects e, Set<Long> rewritten, List<Finding> findings) {
    for (Map.Entry<ColumnKey, Column> entry : e.now().columns().entrySet()) {
      ColumnKey key = entry.getKey();
      Column is = entry.getValue();
      Column was = e.previous().columns().get(key);
      if (!is.notNull() || was == null || was.notNull() || is.dropped() || rewritten.contains(key.table())
          || !e.before().columns().containsKey(key) || e.before().tableName(key.table()) == null
          || hasNotNullCheck(e.previous(), key.table(), is.name())) {
        continue;
      }
      String column = e.now().tableName(key.table()) + "." + is.name();
      String mode = lockOr(e, key.table(), "AccessExclusiveLock");
      findings.add(finding(e, Hazard.SET_NOT_NULL_SCANS, e.now().tableName(key.table()), column, mode,
          "SET NOT NULL on " + column
              + " scans every row under " + HeldLocks.display(mode) + " (no validated CHECK (" + is.name()
              + " IS NOT NULL) lets PostgreSQL skip the scan)"));
    }
  }

  /** {@code CHECK ((email IS NOT NULL))}, quoting and parentheses aside. */
  private static boolean hasNotNullCheck(CatalogState state, long table, String column) {
    String wanted = "check" + column.toLowerCase(Locale.ROOT) + "isnotnull";
    return state.constraints().values().stream().anyMatch(c -> c.table() == table && c.type() == 'c'
        && c.validated() && c.definition().replaceAll("[()\"\\s]", "").toLowerCase(Locale.ROOT).equals(wanted));
  }

  private static void lockTimeout(Effects e, List<Finding> findings) {
    if (!"0".equals(e.lockTimeout())) {
      return;
    }
    for (Map.Entry<Long, String> lock : e.newLocks().entrySet()) {
      String table = e.before().tableName(lock.getKey());
      if (table == null || !lock.getValue().equals(HeldLocks.ACCESS_EXCLUSIVE)) {
        continue;
      }
      findings.add(finding(e, Hazard.ACCESS_EXCLUSIVE_WITHOUT_LOCK_TIMEOUT, table, table, lock.getValue(), e.command()
          + " takes ACCESS EXCLUSIVE on " + table + " with lock_timeout 0: behind any long transaction it waits,"
          + " and every query on " + table + " queues behind it"));
    }
  }

  private static void dropsAndRenames(Effects e, List<Finding> findings) {
    Set<Long> goneTables = new HashSet<>();
    for (Relation was : e.previous().relations().values()) {
      if (!was.isTable() || !e.before().relations().containsKey(was.oid())) {
        continue;
      }
      Relation is = e.now().relations().get(was.oid());
      if (is == null) {
        goneTables.add(was.oid());
        findings.add(finding(e, Hazard.DROP_OR_RENAME, was.name(), was.name(), lockOr(e, was.oid(), null),
            "drops table " + was.name() + ", which the running application may still use"));
      } else if (!is.name().equals(was.name())) {
        findings.add(finding(e, Hazard.DROP_OR_RENAME, was.name(), was.name(), lockOr(e, was.oid(), null),
            "renames table " + was.name() + " to " + is.name() + ", under the running application's feet"));
      }
    }
    for (Map.Entry<ColumnKey, Column> entry : e.previous().columns().entrySet()) {
      ColumnKey key = entry.getKey();
      Column was = entry.getValue();
      if (was.dropped() || goneTables.contains(key.table()) || !e.before().columns().containsKey(key)) {
        continue;
      }
      Column is = e.now().columns().get(key);
      String table = e.previous().tableName(key.table());
      if (is == null || is.dropped()) {
        findings.add(finding(e, Hazard.DROP_OR_RENAME, table, table + "." + was.name(), lockOr(e, key.table(), null),
            "drops column " + table + "." + was.name() + ", which the running application may still use"));
      } else if (!is.name().equals(was.name())) {
        findings.add(finding(e, Hazard.DROP_OR_RENAME, table, table + "." + was.name(), lockOr(e, key.table(), null),
            "renames column " + table + "." + was.name() + " to " + is.name()
                + ", under the running application's feet"));
      }
    }
  }

  /** The mode held on the relation now, else (a statement run on its own) what the command is known to take. */
  private static String lockOr(Effects e, long oid, String known) {
    String held = e.heldLocks().get(oid);
    return held != null ? held : known;
  }

  private static Finding finding(Effects e, Hazard hazard, String table, String object, String mode,
      String message) {
    return new Finding(hazard, e.file(), e.number(), e.line(), table, object, HeldLocks.display(mode), message);
  }
}
