package io.pgvigil.checks.review;

import io.pgvigil.checks.review.CatalogState.Constraint;
import io.pgvigil.checks.review.DataQuestion.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link DataQuestions} of a constraint validated in a statement, on a table the live database has: a CHECK (any
 * row violating it?) and a FOREIGN KEY (any orphan?), added without NOT VALID or validated by VALIDATE CONSTRAINT.
 */
final class ConstraintQuestions {

  /** A FOREIGN KEY's referenced table and both column lists, quoted, in key order; MATCH SIMPLE or FULL. */
  private static final String FOREIGN_KEY = """
      SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(r.relname),
        ARRAY(SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.unnest(k.conkey) WITH ORDINALITY u(num, i)
              JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.i),
        ARRAY(SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.unnest(k.confkey) WITH ORDINALITY u(num, i)
              JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.i),
        k.confrelid::bigint, r.relkind = 'r', k.confmatchtype = 'f'
      FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class r ON r.oid = k.confrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
      WHERE k.oid = ? AND k.contype = 'f' AND k.confmatchtype IN ('s', 'f')""";

  /** Deparsed again under the empty search_path {@link DataQuestions#ask} sets: user names schema-qualified. */
  private static final String DEFINITION = """
      SELECT pg_catalog.pg_get_constraintdef(k.oid) FROM pg_catalog.pg_constraint k WHERE k.oid = ?""";

  /** {@code CHECK ((total >= (0)::numeric)) NO INHERIT NOT VALID}: group 1 is the parenthesized expression. */
  private static final Pattern CHECK = Pattern.compile("(?s)CHECK (\\(.*\\))(?: NO INHERIT)?(?: NOT VALID)?");

  private ConstraintQuestions() {}

  static void add(Connection shadow, StatementHazards.Effects e, CatalogState live, Map<Long, String> written,
      List<DataQuestion> questions) throws SQLException {
    checks(shadow, e, live, questions);
    foreignKeys(shadow, e, live, written, questions);
  }

  /** A CHECK validated in this statement on a live table: added without NOT VALID, or VALIDATE CONSTRAINT. */
  private static void checks(Connection shadow, StatementHazards.Effects e, CatalogState live,
      List<DataQuestion> questions) throws SQLException {
    if (!e.transactional() && e.command().equals("ALTER TABLE")) {
      return; // DETACH PARTITION CONCURRENTLY copies the partition bound as a CHECK, with no scan (manual, ALTER TABLE)
    }
    for (Constraint c : e.now().constraints().values()) {
      String table = live.tableName(c.table());
      Constraint was = e.previous().constraints().get(c.oid());
      if (table == null || c.type() != 'c' || !c.validated() || (was != null && was.validated())
          || (was == null && revalidated(e, c))) {
        continue;
      }
      String definition = definition(shadow, c);
      Matcher check = CHECK.matcher(definition);
      if (!check.matches()) {
        continue;
      }
      String object = table + "." + c.name();
      DataQuestion q = DataQuestions.question(e, Kind.ANY_VIOLATION, table, object,
          "any row of " + table + " violating "
              + definition + "?",
          // NO INHERIT: the parent's own rows; else the children have it too, and are read with it.
          "SELECT 1 FROM " + (definition.contains(" NO INHERIT") ? DataQuestions.from(live, c.table()) : table)
              + " WHERE NOT " + check.group(1) + " LIMIT 1",
          "live " + table + " holds at least one row violating " + c.name() + ": " + e.command()
              + " fails with SQLSTATE 23514 (check_violation) at deploy");
      String mutable = notImmutable(shadow, table, check.group(1));
      questions.add(mutable == null ? q : q.notAskedBecause(mutable));
    }
  }

  /**
   * A FOREIGN KEY validated in this statement on a live table (added without NOT VALID, or VALIDATE CONSTRAINT): any
   * row whose key, all of it non-NULL (MATCH SIMPLE), has no referenced row? An anti-join that stops at the first
   * orphan; the referenced side is looked up by its unique index.
   */
  private static void foreignKeys(Connection shadow, StatementHazards.Effects e, CatalogState live,
      Map<Long, String> written, List<DataQuestion> questions) throws SQLException {
    for (Constraint c : e.now().constraints().values()) {
      String table = live.tableName(c.table());
      Constraint was = e.previous().constraints().get(c.oid());
      if (table == null || c.type() != 'f' || !c.validated() || (was != null && was.validated())
          || (was == null && revalidated(e, c))) {
        continue;
      }
      try (PreparedStatement statement = shadow.prepareStatement(FOREIGN_KEY)) {
        statement.setLong(1, c.oid());
        try (ResultSet rs = statement.executeQuery()) {
          if (rs.next()) {
            // PostgreSQL's own check reads the referenced table with ONLY unless it is partitioned (ri_triggers.c).
            String referenced = (rs.getBoolean(5) ? "ONLY " : "") + rs.getString(1);
            DataQuestion q = orphans(e, DataQuestions.from(live, c.table()), table, table + "." + c.name(),
                referenced, rs.getBoolean(6), List.of((String[]) rs.getArray(2).getArray()),
                List.of((String[]) rs.getArray(3).getArray()));
            String writer = written.get(rs.getLong(4));
            if (live.tableName(rs.getLong(4)) == null) {
              q = q.notAskedBecause(rs.getString(1) + " is not on live as it is here: a pending migration creates "
                  + "it, so live does not hold its rows");
            } else if (writer != null) {
              q = q.notAskedBecause(writer + " may change the rows of " + rs.getString(1) + " first");
            }
            questions.add(q);
          }
        }
      }
    }
  }

  /**
   * MATCH SIMPLE: a key with a NULL is never checked. MATCH FULL: a key all NULL is not checked, one partly NULL
   * fails at once, and one without NULLs must have its referenced row.
   */
  static DataQuestion orphans(StatementHazards.Effects e, String from, String table, String constraint,
      String referenced, boolean matchFull, List<String> columns, List<String> referencedColumns) {
    List<String> notNull = new ArrayList<>();
    List<String> anyNull = new ArrayList<>();
    List<String> join = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      notNull.add("a." + columns.get(i) + " IS NOT NULL");
      anyNull.add("a." + columns.get(i) + " IS NULL");
      join.add("b." + referencedColumns.get(i) + " = a." + columns.get(i));
    }
    String shown = "(" + String.join(", ", columns) + ")";
    String orphan = "NOT EXISTS (SELECT 1 FROM " + referenced + " b WHERE " + String.join(" AND ", join) + ")";
    String where = !matchFull || columns.size() == 1 ? String.join(" AND ", notNull) + " AND " + orphan
        : "(" + String.join(" OR ", notNull) + ") AND (" + String.join(" OR ", anyNull) + " OR " + orphan + ")";
    String sql = "SELECT 1 FROM " + from + " a WHERE " + where + " LIMIT 1";
    String shownReferenced = referenced.replaceFirst("^ONLY ", "");
    return DataQuestions.question(e, Kind.ANY_ORPHAN, table, constraint, "any row of " + table + " whose " + shown
        + " is not in " + shownReferenced + "?", sql,
        "live " + table + " holds at least one row whose " + shown
            + " is not in " + shownReferenced + ": " + e.command()
            + " fails with SQLSTATE 23503 (foreign_key_violation) "
            + "at deploy");
  }

  /**
   * A validated constraint of the same name and definition on the same table before: re-added by a rewrite, not new.
   * Dropped and added again under its name with another definition, it is new.
   */
  private static boolean revalidated(StatementHazards.Effects e, Constraint c) {
    return e.previous().constraints().values().stream().anyMatch(was -> was.table() == c.table()
        && was.name().equals(c.name()) && was.definition().equals(c.definition()) && was.validated());
  }

  private static String definition(Connection shadow, Constraint c) throws SQLException {
    try (PreparedStatement statement = shadow.prepareStatement(DEFINITION)) {
      statement.setLong(1, c.oid());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getString(1) : c.definition();
      }
    }
  }

  /** Why the expression may not run on live, or null: PostgreSQL's own test of an index expression. */
  private static String notImmutable(Connection shadow, String table, String expression) throws SQLException {
    Savepoint savepoint = shadow.setSavepoint();
    try (Statement statement = shadow.createStatement()) {
      // The expression is the shadow's deparsed CHECK, and the index dies with the savepoint.
      statement.execute("CREATE INDEX ON " + table + " (" + expression + ")");
      return null;
    } catch (SQLException e) {
      return "the expression is not checked on live: PostgreSQL does not take it as an index expression ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + "), so it may not be IMMUTABLE";
    } finally {
      shadow.rollback(savepoint);
      shadow.releaseSavepoint(savepoint);
    }
  }

}
