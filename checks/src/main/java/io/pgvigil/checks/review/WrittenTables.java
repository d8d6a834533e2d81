package io.pgvigil.checks.review;

import io.pgvigil.checks.review.CatalogState.Column;
import io.pgvigil.checks.review.CatalogState.ColumnKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The live tables the pending migrations write to before a later statement's question, so that the question is not
 * asked of rows live holds but the statement will not meet: live table oid to the statement that writes it first.
 */
final class WrittenTables {

  /** Statements that change rows, the migration's own backfills among them. */
  private static final Set<String> WRITES = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "TRUNCATE", "DO",
      "CALL", "SELECT", "WITH", "EXECUTE");

  /** Whose targets the planner names and the locks may not: see {@link #targets}. */
  private static final Set<String> INSERTS = Set.of("INSERT", "WITH");

  /** {@code ALTER COLUMN … TYPE … USING expr}: a rewrite that may change values while keeping the type. */
  private static final Pattern USING = Pattern.compile("(?i)\\bUSING\\b");

  private final Map<Long, String> written = new HashMap<>();

  Map<Long, String> byTable() {
    return written;
  }

  /** {@code plannedWrites} and, for an INSERT or WITH run in the transaction, the planner's targets. */
  static Set<Long> targets(Connection shadow, StatementHazards.Effects e, Set<Long> plannedWrites, String sql)
      throws SQLException {
    Set<Long> targets = new HashSet<>(plannedWrites);
    if (e.transactional() && INSERTS.contains(e.command().split(" ")[0])) {
      targets.addAll(insertTargets(shadow, sql));
    }
    return targets;
  }

  /**
   * The tables an INSERT (or a writable WITH) inserts into, from the planner: its lock on a table an earlier ALTER of
   * the migration holds is not new, so the locks do not show it. EXPLAIN without ANALYZE runs nothing; under the
   * migration's search_path, in a savepoint, and a plan that cannot be made names nothing.
   */
  private static Set<Long> insertTargets(Connection shadow, String sql) throws SQLException {
    return BeforeStatement.planned(shadow, sql, true);
  }

  /**
   * The live tables whose rows the statement may change: by a write (the locks it newly takes in ROW EXCLUSIVE or
   * stronger, not those an earlier ALTER still holds, and the planner's targets), or by changing a column's type
   * ({@code citext}, {@code numeric(10,0)} rounds, a collation) or rewriting it with {@code USING}. A partition's
   * change is its parents' (and a parent's its partitions'), since each question reads the whole tree.
   */
  void add(Connection shadow, StatementHazards.Effects e, CatalogState live, Set<Long> plannedWrites, String sql)
      throws SQLException {
    Set<Long> tables = new HashSet<>();
    if (WRITES.contains(e.command().split(" ")[0])) {
      e.newLocks().forEach((oid, mode) -> {
        if (HeldLocks.isStronger(mode, "RowShareLock")) {
          tables.add(oid);
        }
      });
      tables.addAll(plannedWrites);
    }
    for (Map.Entry<ColumnKey, Column> entry : e.now().columns().entrySet()) {
      Column was = e.previous().columns().get(entry.getKey());
      if (was != null && !was.dropped() && !entry.getValue().dropped()
          && !Objects.equals(was.type(), entry.getValue().type())) {
        tables.add(entry.getKey().table());
      }
    }
    if (e.command().equals("ALTER TABLE") && USING.matcher(sql).find()) {
      for (CatalogState.Relation was : e.previous().relations().values()) {
        CatalogState.Relation is = e.now().relations().get(was.oid());
        if (was.isTable() && is != null && is.filenode() != was.filenode()) {
          tables.add(was.oid());
        }
      }
    }
    tables.removeIf(oid -> live.tableName(oid) == null);
    if (tables.isEmpty()) {
      return;
    }
    Map<Long, Set<Long>> parents = new HashMap<>();
    Map<Long, Set<Long>> children = new HashMap<>();
    CatalogState.eachRow(shadow, "SELECT inhrelid::bigint, inhparent::bigint FROM pg_catalog.pg_inherits", rs -> {
      parents.computeIfAbsent(rs.getLong(1), k -> new HashSet<>()).add(rs.getLong(2));
      children.computeIfAbsent(rs.getLong(2), k -> new HashSet<>()).add(rs.getLong(1));
    });
    // Up and down the tree, not across to a sibling: a parent's question reads every child, a child's its own rows.
    Set<Long> marked = new HashSet<>(tables);
    for (long table : tables) {
      marked.addAll(reach(table, parents));
      marked.addAll(reach(table, children));
    }
    String writer = "statement " + e.number() + " (" + e.command() + ") of " + e.file();
    marked.stream().filter(oid -> live.tableName(oid) != null).forEach(oid -> written.putIfAbsent(oid, writer));
  }

  private static Set<Long> reach(long from, Map<Long, Set<Long>> links) {
    Set<Long> seen = new HashSet<>();
    List<Long> next = new ArrayList<>(List.of(from));
    while (!next.isEmpty()) {
      for (long linked : links.getOrDefault(next.remove(next.size() - 1), Set.of())) {
        if (seen.add(linked)) {
          next.add(linked);
        }
      }
    }
    return seen;
  }
}
