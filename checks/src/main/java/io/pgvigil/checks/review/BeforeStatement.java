package io.pgvigil.checks.review;

import io.pgvigil.checks.locks.Command;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the shadow says about a statement just before it runs, for the rules the catalog's difference cannot see: the
 * tables an UPDATE, DELETE or MERGE writes (the planner's, from {@code EXPLAIN}, so aliases, CTEs and search_path are
 * its business, not ours), and the partitions and their parents before an ALTER TABLE (to see a DETACH PARTITION).
 *
 * @param sql        the statement as it runs on the shadow
 * @param writes     oids of the tables the statement modifies (its ModifyTable nodes' target); empty when not a write
 * @param partitions partition oid to its parent's oid, read only before an ALTER TABLE; else empty
 */
record BeforeStatement(String sql, Command command, Set<Long> writes, Map<Long, Long> partitions) {

  private static final Set<String> WRITES = Set.of("UPDATE", "DELETE", "MERGE");

  static final String PARTITIONS = """
      SELECT i.inhrelid::bigint, i.inhparent::bigint
      FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
      WHERE c.relispartition""";

  private static final String RELATION = """
      SELECT c.oid::bigint FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ? AND c.relname = ?""";

  static BeforeStatement read(Connection connection, String sql, Command command) throws SQLException {
    Set<Long> writes = WRITES.contains(command.name()) ? planned(connection, sql, false) : Set.of();
    Map<Long, Long> partitions = command.name().equals("ALTER TABLE") ? partitions(connection) : Map.of();
    return new BeforeStatement(sql, command, writes, partitions);
  }

  static Map<Long, Long> partitions(Connection connection) throws SQLException {
    Map<Long, Long> partitions = new HashMap<>();
    CatalogState.eachRow(connection, PARTITIONS, rs -> partitions.put(rs.getLong(1), rs.getLong(2)));
    return partitions;
  }

  /**
   * The planner's targets: every ModifyTable node's own relation (a partitioned table's, not each partition's), CTEs
   * included, inserts only when {@code withInserts}. EXPLAIN without ANALYZE runs nothing; in the migration's
   * transaction it runs under a savepoint, so that a statement the planner refuses fails where the migration runs it,
   * with its own message; a plan that cannot be made names nothing.
   */
  static Set<Long> planned(Connection connection, String sql, boolean withInserts) throws SQLException {
    Savepoint savepoint = connection.getAutoCommit() ? null : connection.setSavepoint();
    String plan;
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("EXPLAIN (VERBOSE, FORMAT JSON) " + sql)) {
      rs.next();
      plan = rs.getString(1);
    } catch (SQLException e) {
      if (savepoint != null) {
        connection.rollback(savepoint);
      }
      return Set.of();
    }
    if (savepoint != null) {
      connection.releaseSavepoint(savepoint);
    }
    Set<Long> oids = new LinkedHashSet<>();
    for (Object root : new JsonArray(plan)) {
      collect(connection, ((JsonObject) root).getJsonObject("Plan"), withInserts, oids);
    }
    return oids;
  }

  private static void collect(Connection connection, JsonObject node, boolean withInserts, Set<Long> oids)
      throws SQLException {
    if (node == null) {
      return;
    }
    String operation = node.getString("Operation");
    if ("ModifyTable".equals(node.getString("Node Type")) && operation != null
        && (withInserts || !operation.equals("Insert"))
        && node.getString("Relation Name") != null) {
      try (PreparedStatement find = connection.prepareStatement(RELATION)) {
        find.setString(1, node.getString("Schema"));
        find.setString(2, node.getString("Relation Name"));
        try (ResultSet rs = find.executeQuery()) {
          if (rs.next()) {
            oids.add(rs.getLong(1));
          }
        }
      }
    }
    JsonArray children = node.getJsonArray("Plans");
    if (children != null) {
      for (Object child : children) {
        collect(connection, (JsonObject) child, withInserts, oids);
      }
    }
  }
}
