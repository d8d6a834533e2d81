package io.pgvigil.checks.review;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parts of the shadow's catalog a statement can change in a way that matters to the
 * running application: relations and their files, columns, constraints, indexes. Read inside
 * the migration's own transaction, so it sees the migration's uncommitted changes.
 */
record CatalogState(Map<Long, Relation> relations, Map<ColumnKey, Column> columns,
    Map<Long, Constraint> constraints, Map<Long, Long> indexes, Map<Long, String> indexDefinitions) {

  /** A table, partitioned table, materialized view or index; {@code name} is schema-qualified. */
  record Relation(long oid, char kind, long filenode, String name) {
    boolean isTable() {
      return kind == 'r' || kind == 'p' || kind == 'm';
    }
  }

  record ColumnKey(long table, int number) {}

  /** {@code type}: the type with its modifier and collation, {@code citext}, {@code numeric(10,0) "C"}. */
  record Column(String name, boolean notNull, boolean dropped, String type) {}

  record Constraint(long oid, long table, char type, boolean validated, String name, String definition) {}

  private static final String USER_SCHEMAS = """
      n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
        AND n.nspname NOT LIKE 'pg\\_temp%'""";

  private static final String RELATIONS =
      """
          SELECT c.oid::bigint, c.relkind::text, c.relfilenode::bigint, quote_ident(n.nspname) || '.' || quote_ident(c.relname)
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') AND
          """
          + USER_SCHEMAS;

  private static final String COLUMNS = """
      SELECT a.attrelid::bigint, a.attnum, a.attname, a.attnotnull, a.attisdropped,
        pg_catalog.format_type(a.atttypid, a.atttypmod) || ' ' || a.attcollation::text
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attnum > 0 AND c.relkind IN ('r', 'p', 'm') AND
      """ + USER_SCHEMAS;

  private static final String CONSTRAINTS = """
      SELECT k.oid::bigint, k.conrelid::bigint, k.contype::text, k.convalidated, k.conname,
        pg_catalog.pg_get_constraintdef(k.oid)
      FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE
      """ + USER_SCHEMAS;

  /** The definition without the index's name (whose first appearance is after INDEX), and whether it is valid. */
  private static final String INDEXES = """
      SELECT i.indexrelid::bigint, i.indrelid::bigint,
        pg_catalog.replace(pg_catalog.pg_get_indexdef(i.indexrelid),
          'INDEX ' || pg_catalog.quote_ident(x.relname) || ' ON ', 'INDEX ON ')
          || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
      FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_class x ON x.oid = i.indexrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE
      """ + USER_SCHEMAS;

  static CatalogState read(Connection connection) throws SQLException {
    Map<Long, Relation> relations = new LinkedHashMap<>();
    Map<ColumnKey, Column> columns = new HashMap<>();
    Map<Long, Constraint> constraints = new LinkedHashMap<>();
    Map<Long, Long> indexes = new HashMap<>();
    Map<Long, String> indexDefinitions = new HashMap<>();
    eachRow(connection, RELATIONS, rs -> relations.put(rs.getLong(1),
        new Relation(rs.getLong(1), rs.getString(2).charAt(0), rs.getLong(3), rs.getString(4))));
    eachRow(connection, COLUMNS, rs -> columns.put(new ColumnKey(rs.getLong(1), rs.getInt(2)),
        new Column(rs.getString(3), rs.getBoolean(4), rs.getBoolean(5), rs.getString(6))));
    eachRow(connection, CONSTRAINTS, rs -> constraints.put(rs.getLong(1), new Constraint(rs.getLong(1),
        rs.getLong(2), rs.getString(3).charAt(0), rs.getBoolean(4), rs.getString(5), rs.getString(6))));
    eachRow(connection, INDEXES, rs -> {
      indexes.put(rs.getLong(1), rs.getLong(2));
      indexDefinitions.put(rs.getLong(1), rs.getString(3));
    });
    return new CatalogState(relations, columns, constraints, indexes, indexDefinitions);
  }

  interface RowReader {
    void read(ResultSet row) throws SQLException;
  }

  static void eachRow(Connection connection, String sql, RowReader reader) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        reader.read(rs);
      }
    }
  }

  /** The table's name, or null if it is not a table here. */
  String tableName(long oid) {
    Relation r = relations.get(oid);
    return r != null && r.isTable() ? r.name() : null;
  }
}
