package io.pgvigil.checks.review;

import io.pgvigil.checks.review.CatalogState.Column;
import io.pgvigil.checks.review.CatalogState.ColumnKey;
import io.pgvigil.checks.review.CatalogState.Relation;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a statement takes away from a table that already exists, under a lock stronger than it needs to: a NOT NULL
 * (readers of the running application may not expect NULLs), an index dropped without CONCURRENTLY, a partition
 * detached without CONCURRENTLY. Seen in the catalog: the column's attnotnull, the index, the pg_inherits row.
 */
final class RemovalHazards {

  private RemovalHazards() {}

  static List<Finding> evaluate(Connection connection, StatementHazards.Effects e, BeforeStatement facts)
      throws SQLException {
    List<Finding> findings = new ArrayList<>();
    dropNotNull(e, findings);
    dropIndex(e, findings);
    detachPartition(connection, e, facts, findings);
    return findings;
  }

  private static void dropNotNull(StatementHazards.Effects e, List<Finding> findings) {
    for (Map.Entry<ColumnKey, Column> entry : e.now().columns().entrySet()) {
      Column is = entry.getValue();
      Column was = e.previous().columns().get(entry.getKey());
      String table = e.before().tableName(entry.getKey().table());
      if (was == null || !was.notNull() || is.notNull() || is.dropped() || table == null
          || !e.before().columns().containsKey(entry.getKey())) {
        continue;
      }
      String column = e.now().tableName(entry.getKey().table()) + "." + is.name();
      findings.add(finding(e, Hazard.DROP_NOT_NULL, table, column, lockOr(e, entry.getKey().table(), null),
          "DROP NOT NULL on " + column + ": the running application may read NULLs it does not expect, and once "
              + "some are written SET NOT NULL fails until they are cleaned"));
    }
  }

  /** DROP INDEX CONCURRENTLY runs on its own (not transactional): its locks are not ACCESS EXCLUSIVE. */
  private static void dropIndex(StatementHazards.Effects e, List<Finding> findings) {
    if (!e.command().equals("DROP INDEX") || !e.transactional()) {
      return;
    }
    for (Map.Entry<Long, Long> index : e.previous().indexes().entrySet()) {
      String table = e.before().tableName(index.getValue());
      Relation dropped = e.before().relations().get(index.getKey());
      if (e.now().indexes().containsKey(index.getKey()) || table == null || dropped == null) {
        continue;
      }
      String mode = lockOr(e, index.getValue(), "AccessExclusiveLock");
      findings.add(finding(e, Hazard.DROP_INDEX_WITHOUT_CONCURRENTLY, table, dropped.name(), mode,
          "DROP INDEX " + dropped.name() + " takes " + HeldLocks.display(mode) + " on " + table
              + ": every query on it waits for the drop, and the drop waits for every query already running"));
    }
  }

  /**
   * ALTER TABLE ... DETACH PARTITION takes ACCESS EXCLUSIVE on the parent; with CONCURRENTLY (PostgreSQL 14+) only
   * SHARE UPDATE EXCLUSIVE, but it cannot run in a transaction block, so it runs on its own here and holds nothing
   * when we look (manual, ALTER TABLE, DETACH PARTITION).
   */
  private static void detachPartition(Connection connection, StatementHazards.Effects e, BeforeStatement facts,
      List<Finding> findings) throws SQLException {
    if (facts.partitions().isEmpty() || !e.transactional()) {
      return;
    }
    Map<Long, Long> now = BeforeStatement.partitions(connection);
    for (Map.Entry<Long, Long> partition : facts.partitions().entrySet()) {
      String parent = e.before().tableName(partition.getValue());
      Relation detached = e.now().relations().get(partition.getKey());
      if (now.containsKey(partition.getKey()) || parent == null || detached == null) {
        continue;
      }
      int major = connection.getMetaData().getDatabaseMajorVersion();
      String mode = lockOr(e, partition.getValue(), "AccessExclusiveLock");
      findings.add(finding(e, Hazard.DETACH_PARTITION_WITHOUT_CONCURRENTLY, parent, parent, mode,
          "DETACH PARTITION " + detached.name() + " takes " + HeldLocks.display(mode) + " on " + parent
              + ": every query on any of its partitions waits for it"
              + (major < 14 ? " (PostgreSQL " + major + " has no DETACH PARTITION CONCURRENTLY, which came in 14: "
                  + "detach with a short lock_timeout, or in a maintenance window)" : "")));
    }
  }

  private static String lockOr(StatementHazards.Effects e, long oid, String known) {
    String held = e.heldLocks().get(oid);
    return held != null ? held : known;
  }

  private static Finding finding(StatementHazards.Effects e, Hazard hazard, String table, String object,
      String mode, String message) {
    return new Finding(hazard, e.file(), e.number(), e.line(), table, object, HeldLocks.display(mode), message);
  }
}
