package io.pgvigil.checks.review;

import io.pgvigil.checks.review.CatalogState.Column;
import io.pgvigil.checks.review.CatalogState.ColumnKey;
import io.pgvigil.checks.review.DataQuestion.Kind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The questions about live rows that decide whether a statement succeeds at deploy, which the empty shadow cannot
 * answer: a new NOT NULL column without a default (any row?), SET NOT NULL (any NULL?), a new unique index or key
 * (any duplicate?), a CHECK validated now (any row violating it?), a FOREIGN KEY validated now (any orphan?). Only tables and columns the live database has
 * count; a table an earlier statement writes to ({@link WrittenTables}: UPDATE, INSERT, a type change, …) is not asked about,
 * since live does not hold the rows the statement will meet.
 *
 * <p>One per review of a list of pending migrations: it remembers the catalog as live has it (before the first
 * pending migration) and the tables written so far. It only reads the shadow, except for a CHECK's expression,
 * which it tries as an index expression in a savepoint rolled back at once: PostgreSQL accepts only IMMUTABLE
 * functions there, and a CHECK that calls anything else (pg_terminate_backend…) is never run on live.
 */
final class DataQuestions {

  private static final String UNIQUE_INDEX = """
      SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
        coalesce((pg_catalog.to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false),
        pg_catalog.pg_get_expr(i.indpred, i.indrelid, true),
        ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
                || coalesce(' COLLATE ' || pg_catalog.quote_ident(cn.nspname) || '.'
                   || pg_catalog.quote_ident(co.collname), '')
              FROM pg_catalog.generate_series(1, i.indnkeyatts) k
                LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
                LEFT JOIN pg_catalog.pg_collation co ON co.oid = i.indcollation[k - 1]
                  AND co.oid <> coalesce(a.attcollation, 100)
                LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
              ORDER BY k),
        (SELECT pg_catalog.bool_and(o.opcdefault) FROM pg_catalog.generate_series(0, i.indnkeyatts - 1) k
           JOIN pg_catalog.pg_opclass o ON o.oid = i.indclass[k])
      FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE i.indexrelid = ? AND i.indisunique AND NOT i.indisexclusion""";

  /** Whether every existing row gets a value: identity, generated, or a default that is not NULL. */
  private static final String FILLED = """
      SELECT a.attidentity <> '' OR a.attgenerated <> ''
        OR coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid) !~* '^\\s*\\(*NULL\\)*(::.*)?$', false)
      FROM pg_catalog.pg_attribute a
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ? AND a.attnum = ?""";

  private static final String COMPOSITE = """
      SELECT t.typtype = 'c' FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = ? AND a.attnum = ?""";

  /** The catalog the live database has: the first migration's before. */
  private CatalogState live;
  /** The live tables written so far, and by which statement. */
  private final WrittenTables written = new WrittenTables();

  /** Remembers {@code before} as live's catalog when it is the first pending migration's. */
  void start(CatalogState before) {
    if (live == null) {
      live = before;
    }
  }

  /**
   * The tables of {@code before} (a later migration's start) by their name there, to their name on live, matched by
   * oid: a table an earlier pending migration renamed is the same table on live under its old name.
   */
  Map<String, String> liveNames(CatalogState before) {
    Map<String, String> names = new HashMap<>();
    before.relations().values().stream().filter(CatalogState.Relation::isTable)
        .forEach(r -> names.put(r.name(), live == null ? r.name() : live.tableName(r.oid())));
    names.values().removeIf(Objects::isNull);
    return names;
  }

  /** The tables of {@code before} that live does not have: a pending migration creates them. */
  Set<String> newTables(CatalogState before) {
    Set<String> tables = new HashSet<>();
    before.relations().values().stream().filter(r -> r.isTable() && live != null && live.tableName(r.oid()) == null)
        .forEach(r -> tables.add(r.name()));
    return tables;
  }

  /**
   * The questions statement {@code e} raises; call after each statement that ran. {@code plannedWrites}: the tables
   * the planner says an UPDATE, DELETE or MERGE modifies; {@code sql}: the statement as it ran.
   *
   * <p>Everything is deparsed under an empty search_path (in a savepoint rolled back after, so the migration's own
   * SET search_path holds again): every name not in pg_catalog comes out schema-qualified, and the probe session,
   * which also runs with an empty search_path, resolves each function and operator as the shadow did.
   */
  List<DataQuestion> ask(Connection shadow, StatementHazards.Effects e, Set<Long> plannedWrites, String sql)
      throws SQLException {
    start(e.before());
    Set<Long> targets = WrittenTables.targets(shadow, e, plannedWrites, sql);
    Savepoint savepoint = shadow.setSavepoint();
    try {
      try (Statement statement = shadow.createStatement()) {
        statement.execute("SET LOCAL search_path = ''");
      }
      return questions(shadow, e, targets, sql);
    } finally {
      shadow.rollback(savepoint);
      shadow.releaseSavepoint(savepoint);
    }
  }

  private List<DataQuestion> questions(Connection shadow, StatementHazards.Effects e, Set<Long> plannedWrites,
      String sql) throws SQLException {
    List<DataQuestion> questions = new ArrayList<>();
    notNull(shadow, e, questions);
    unique(shadow, e, questions);
    ConstraintQuestions.add(shadow, e, live, written.byTable(), questions);
    written.add(shadow, e, live, plannedWrites, sql);
    return withoutInherited(shadow, questions).stream().map(q -> {
      String writer = written.byTable().get(tableOid(q.table()));
      return writer == null || !q.asked() ? q
          : q.notAskedBecause(writer + " may change the rows of " + q.table() + " first");
    }).toList();
  }

  /**
   * A statement on a partitioned (or inheritance) parent changes every child too, and the parent's question already
   * reads the children's rows: each child's own would scan them a second time.
   */
  private List<DataQuestion> withoutInherited(Connection shadow, List<DataQuestion> questions) throws SQLException {
    if (questions.size() < 2) {
      return questions;
    }
    Map<Long, Long> parents = new HashMap<>();
    CatalogState.eachRow(shadow, "SELECT inhrelid::bigint, inhparent::bigint FROM pg_catalog.pg_inherits",
        rs -> parents.put(rs.getLong(1), rs.getLong(2)));
    Set<String> asked = new HashSet<>();
    questions.forEach(q -> asked.add(q.kind() + " " + tableOid(q.table())));
    return questions.stream().filter(q -> {
      Set<Long> seen = new HashSet<>();
      for (Long up = parents.get(tableOid(q.table())); up != null && seen.add(up); up = parents.get(up)) {
        if (asked.contains(q.kind() + " " + up)) {
          return false;
        }
      }
      return true;
    }).toList();
  }

  private long tableOid(String name) {
    return live.relations().values().stream().filter(r -> r.isTable() && r.name().equals(name))
        .mapToLong(CatalogState.Relation::oid).findFirst().orElse(0);
  }

  /** A column of a live table became NOT NULL: over live NULLs, or a new column no value fills. */
  private void notNull(Connection shadow, StatementHazards.Effects e, List<DataQuestion> questions)
      throws SQLException {
    for (Map.Entry<ColumnKey, Column> entry : e.now().columns().entrySet()) {
      ColumnKey key = entry.getKey();
      Column is = entry.getValue();
      Column was = e.previous().columns().get(key);
      String table = live.tableName(key.table());
      if (table == null || is.dropped() || !enforced(e.now(), key, is)
          || (was != null && !was.dropped() && enforced(e.previous(), key, was))) {
        continue;
      }
      Column onLive = live.columns().get(key);
      if (onLive != null && !onLive.dropped()) {
        if (enforced(live, key, onLive)) {
          continue;
        }
        String column = table + "." + onLive.name();
        questions.add(question(e, Kind.ANY_NULL, table, column, "any NULL in " + column + "?",
            "SELECT 1 FROM " + table + " WHERE " + quoted(onLive.name())
                + (composite(shadow, key) ? " IS NOT DISTINCT FROM NULL" : " IS NULL") + " LIMIT 1",
            column + " holds NULLs on live: " + e.command() + " fails with SQLSTATE 23502 (not_null_violation) at "
                + "deploy"));
      } else if (!filled(shadow, key)) {
        String column = table + "." + is.name();
        questions.add(question(e, Kind.ANY_ROW, table, column, "any row in " + table + "?",
            "SELECT 1 FROM " + table + " LIMIT 1", table + " has rows on live and the new column " + column
                + " is NOT NULL with nothing to fill it (no default): " + e.command()
                + " fails with SQLSTATE 23502 (not_null_violation) at deploy"));
      }
    }
  }

  /**
   * NOT NULL and checked against the rows: from PostgreSQL 18 a NOT NULL constraint may be NOT VALID (a pg_constraint
   * row of type 'n', {@code NOT NULL email NOT VALID}); existing rows may hold NULLs until it is validated.
   */
  private static boolean enforced(CatalogState state, ColumnKey key, Column column) {
    String wanted = "NOT NULL " + column.name() + " NOT VALID";
    return column.notNull() && state.constraints().values().stream().noneMatch(c -> c.table() == key.table()
        && c.type() == 'n' && !c.validated() && c.definition().replace("\"", "").equals(wanted));
  }

  /**
   * A composite column's {@code IS NULL} is true also for a row of NULLs, which NOT NULL accepts: the value itself is
   * asked about with {@code IS NOT DISTINCT FROM NULL} (manual, "Comparison Functions and Operators").
   */
  private static boolean composite(Connection shadow, ColumnKey key) throws SQLException {
    try (PreparedStatement statement = shadow.prepareStatement(COMPOSITE)) {
      statement.setLong(1, key.table());
      statement.setInt(2, key.number());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static boolean filled(Connection shadow, ColumnKey key) throws SQLException {
    try (PreparedStatement statement = shadow.prepareStatement(FILLED)) {
      statement.setLong(1, key.table());
      statement.setInt(2, key.number());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** A unique index new in this statement on a live table (CREATE UNIQUE INDEX, ADD UNIQUE / PRIMARY KEY). */
  private void unique(Connection shadow, StatementHazards.Effects e, List<DataQuestion> questions)
      throws SQLException {
    for (Map.Entry<Long, Long> index : e.now().indexes().entrySet()) {
      String table = live.tableName(index.getValue());
      if (table == null || e.previous().indexes().containsKey(index.getKey()) || rebuilt(e, index.getKey())) {
        continue;
      }
      try (PreparedStatement statement = shadow.prepareStatement(UNIQUE_INDEX)) {
        statement.setLong(1, index.getKey());
        try (ResultSet rs = statement.executeQuery()) {
          if (rs.next()) {
            Array keys = rs.getArray(4);
            DataQuestion q = duplicates(e, from(live, index.getValue()), table, rs.getString(1), rs.getBoolean(2),
                rs.getString(3), List.of((String[]) keys.getArray()));
            // An operator class that is not the type's default may have another equality than GROUP BY's.
            questions.add(rs.getBoolean(5) ? q : q.notAskedBecause("the index uses an operator class that is not "
                + "its type's default, whose equality the question cannot follow"));
          }
        }
      }
    }
  }

  /**
   * {@code ONLY t} for a table that is not partitioned: a unique index, a FOREIGN KEY or a NO INHERIT CHECK of a
   * plain inheritance parent covers the parent's own rows, not its children's (manual, "Inheritance", caveats); a
   * partitioned table's covers its partitions, and reading it reads them.
   */
  static String from(CatalogState live, long table) {
    CatalogState.Relation r = live.relations().get(table);
    return (r != null && r.kind() == 'r' ? "ONLY " : "") + live.tableName(table);
  }

  /**
   * An index with the same definition (but for its name) on the same table before: rebuilt by a rewrite, or dropped
   * and added again in the same statement, not new. A key dropped and added with other columns under its old name
   * is new, and so is one that was INVALID.
   */
  private static boolean rebuilt(StatementHazards.Effects e, long index) {
    String is = e.now().indexDefinitions().get(index);
    Long table = e.now().indexes().get(index);
    return is != null && e.previous().indexes().entrySet().stream().anyMatch(was -> was.getValue().equals(table)
        && is.equals(e.previous().indexDefinitions().get(was.getKey())));
  }

  /**
   * {@code GROUP BY key HAVING count(*) > 1 LIMIT 1}: rows whose key has a NULL never collide unless the index says
   * NULLS NOT DISTINCT; the partial index's predicate limits the rows. Sorting or hashing the whole table unless an
   * index on the key lets PostgreSQL stop at the first duplicate; bounded by the probe's statement_timeout.
   */
  static DataQuestion duplicates(StatementHazards.Effects e, String from, String table, String index,
      boolean nullsNotDistinct, String predicate, List<String> keys) {
    List<String> key = keys.stream().map(k -> "(" + k + ")").toList();
    List<String> where = new ArrayList<>();
    if (!nullsNotDistinct) {
      key.forEach(k -> where.add(k + " IS NOT NULL"));
    }
    if (predicate != null) {
      where.add("(" + predicate + ")");
    }
    String shown = "(" + String.join(", ", keys) + ")";
    String sql = "SELECT 1 FROM " + from + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + " GROUP BY " + String.join(", ", key) + " HAVING pg_catalog.count(*) > 1 LIMIT 1";
    boolean concurrently = e.command().endsWith("CONCURRENTLY");
    return question(e, Kind.ANY_DUPLICATE, table, index, "any duplicate of " + shown + " in " + table
        + (predicate == null ? "" : " where " + predicate) + "?", sql,
        "live " + table + " holds at least one "
            + "duplicate of " + shown + ": building unique index " + index + " fails with SQLSTATE 23505 "
            + "(unique_violation) at deploy" + (concurrently ? ", leaving an INVALID index behind to drop" : ""));
  }

  static DataQuestion question(StatementHazards.Effects e, Kind kind, String table, String object,
      String question, String sql, String failure) {
    return new DataQuestion(kind, e.file(), e.number(), e.line(), table, object, question, sql, failure, null);
  }

  /** Always quoted: attnames are exact, whatever their case. */
  static String quoted(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
