package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of a migration made from findings ({@link FixStyle#MIGRATION}): what goes away first, most dependent
 * first (policies and triggers before the tables under them, tables before their types and schemas), then what is
 * made or changed, what others use first (schemas, extensions, types, sequences and functions before the tables, views
 * and triggers that use them; views after the views they read; functions with an SQL-standard body that reads a
 * table or view made here after the tables and views), with check_function_bodies off as pg_dump writes it.
 */
public final class MigrationSql {

  /** The order objects are made in; they are dropped in the reverse order. */
  private static final List<ObjectKind> MADE = List.of(ObjectKind.SCHEMA, ObjectKind.EXTENSION, ObjectKind.TYPE,
      ObjectKind.SEQUENCE, ObjectKind.FUNCTION, ObjectKind.TABLE, ObjectKind.COLUMN, ObjectKind.CONSTRAINT,
      ObjectKind.INDEX, ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW, ObjectKind.TRIGGER, ObjectKind.POLICY,
      ObjectKind.STATISTICS, ObjectKind.COMMENT, ObjectKind.GRANT, ObjectKind.OWNER, ObjectKind.DEFAULT_PRIVILEGES);

  private static final Pattern FOREIGN_KEY = Pattern.compile("^ALTER TABLE \\S.* ADD CONSTRAINT .* FOREIGN KEY \\(");

  /** Where pg_get_functiondef's header ends: the string body's AS, or an SQL-standard body in column 0. */
  private static final Pattern BODY_START = Pattern.compile("(?m)^( AS |RETURN |BEGIN ATOMIC)");
  private static final Pattern MADE_FUNCTION = Pattern.compile("(?m)^CREATE (OR REPLACE )?(FUNCTION|PROCEDURE) ");
  private static final Pattern DOLLAR_QUOTE = Pattern.compile("\\$([A-Za-z_][A-Za-z_0-9]*)?\\$");
  private static final Pattern ENUM_LABEL = Pattern.compile("^ALTER TYPE .+ ADD VALUE ");

  private static final String ACCEPTED = "adopts what live already has (drift --emit-migration); check it before "
      + "other environments run it";
  /** The review rules a migration statement from findings can meet, each by the statement's first line. */
  private static final Map<String, Pattern> HAZARDS = hazards();

  private MigrationSql() {}

  private static boolean addsForeignKey(String line) {
    return FOREIGN_KEY.matcher(line).find();
  }

  /**
   * Whether every statement of this finding's adds an enum label: such statements go in a migration of their own,
   * as a transaction cannot use a label it adds (https://www.postgresql.org/docs/current/sql-altertype.html, Notes).
   */
  public static boolean addsEnumLabels(String statements) {
    return statements.lines().allMatch(line -> ENUM_LABEL.matcher(line).find());
  }

  /** Each finding's statements, drops first; findings without statements are left out (say so before calling). */
  public static List<String> ordered(List<SchemaFinding> findings) {
    // What an SQL-standard body may read that the migration makes: new tables and columns, new or changed views.
    List<String> relations = findings.stream().filter(f -> f.change() == Change.MISSING
        || f.change() == Change.CHANGED && isView(f))
        .map(f -> f.object().kind() == ObjectKind.TABLE || isView(f) ? f.object().qualifiedName()
            : f.object().kind() == ObjectKind.COLUMN ? f.object().qualifiedName().substring(0,
                Math.max(0, f.object().qualifiedName().lastIndexOf('.')))
            : null)
        .filter(name -> name != null && !name.isEmpty()).distinct().toList();
    Comparator<SchemaFinding> made = Comparator.comparingInt(f -> rank(f, relations));
    List<String> statements = new ArrayList<>();
    unorderable(findings, relations).ifPresent(statements::add);
    // As pg_dump does: a function body that reads a table made later in the file is not checked when the function
    // is made (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-CHECK-FUNCTION-BODIES). LOCAL:
    // the migration's transaction only, not the later migrations on the same connection.
    if (findings.stream().anyMatch(f -> f.change() != Change.UNEXPECTED && f.object().kind() == ObjectKind.FUNCTION
        && f.suggestedSql().isPresent())) {
      statements.add("SET LOCAL check_function_bodies = off;");
    }
    findings.stream().filter(f -> f.change() == Change.UNEXPECTED)
        .sorted(made.reversed().thenComparing(SchemaFinding::object))
        .forEach(f -> f.suggestedSql().map(MigrationSql::accepted).ifPresent(statements::add));
    // The foreign keys of new tables once every new table is there: they may refer to each other.
    List<String> foreignKeys = new ArrayList<>();
    viewsAfterWhatTheyRead(findings.stream().filter(f -> f.change() != Change.UNEXPECTED)
        .sorted(made.thenComparing(SchemaFinding::object)).toList())
        .forEach(f -> f.suggestedSql().ifPresent(sql -> {
          if (f.change() == Change.MISSING
              && (f.object().kind() == ObjectKind.TABLE || f.object().kind() == ObjectKind.SCHEMA)) {
            List<String> lines = sql.lines().toList();
            lines.stream().filter(MigrationSql::addsForeignKey).forEach(foreignKeys::add);
            statements.add(String.join("\n", lines.stream().filter(l -> !addsForeignKey(l)).toList()));
          } else if (f.change() == Change.MISSING && f.object().kind() == ObjectKind.MATERIALIZED_VIEW) {
            statements.add(sql);
          } else {
            statements.add(accepted(sql));
          }
        }));
    statements.addAll(foreignKeys);
    return statements;
  }

  /**
   * Each statement on a table the migration did not make that pgvigil's own review would block or flag, under a
   * {@code -- pgvigil:ignore <rule> <reason>} line: live already has the change (the migration is recorded as applied
   * there), and the rule is accepted in the file for the reviewer of the other environments to see, not hidden.
   */
  static String accepted(String statements) {
    List<String> lines = new ArrayList<>();
    String quote = null;
    for (String line : statements.lines().toList()) {
      // A line of a dollar-quoted function body is no statement: an ignore line there would change the body.
      if (quote == null) {
        HAZARDS.entrySet().stream().filter(h -> h.getValue().matcher(line).find())
            .forEach(h -> lines.add("-- pgvigil:ignore " + h.getKey() + " " + ACCEPTED));
      }
      lines.add(line);
      Matcher dollar = DOLLAR_QUOTE.matcher(line);
      while (dollar.find()) {
        if (quote == null) {
          quote = dollar.group();
        } else if (quote.equals(dollar.group())) {
          quote = null;
        }
      }
    }
    return String.join("\n", lines);
  }

  private static Map<String, Pattern> hazards() {
    Map<String, Pattern> hazards = new LinkedHashMap<>();
    hazards.put("index-without-concurrently", Pattern.compile(
        "^CREATE (UNIQUE )?INDEX (?!CONCURRENTLY)|^ALTER TABLE .* ADD CONSTRAINT .* (PRIMARY KEY|UNIQUE|EXCLUDE) "));
    hazards.put("constraint-validates-existing-rows", Pattern.compile(
        "^ALTER TABLE .* ADD CONSTRAINT .* (FOREIGN KEY|CHECK) .*(?<! NOT VALID);$"));
    // ADD COLUMN rewrites when each row gets a value of its own: an identity, a stored generated column, a default
    // that may be volatile (any call; review decides which are).
    hazards.put("table-rewrite", Pattern.compile("^ALTER TABLE .* (ALTER COLUMN .* TYPE |SET (UN)?LOGGED;|ADD COLUMN "
        + ".*( GENERATED (ALWAYS|BY DEFAULT) AS IDENTITY| GENERATED ALWAYS AS \\(.*\\) STORED| DEFAULT .*\\())"));
    // A primary key sets its columns NOT NULL, scanning the table for it.
    hazards.put("set-not-null-scans", Pattern.compile("^ALTER TABLE .* (SET NOT NULL;$|ADD (CONSTRAINT \\S+ )?PRIMARY "
        + "KEY )"));
    hazards.put("drop-not-null", Pattern.compile("^ALTER TABLE .* DROP NOT NULL;$"));
    hazards.put("drop-or-rename", Pattern.compile("^ALTER TABLE .* DROP COLUMN |^DROP TABLE "));
    hazards.put("drop-index-without-concurrently", Pattern.compile("^DROP INDEX (?!CONCURRENTLY)"));
    return hazards;
  }

  /**
   * Where a finding's statements go in {@link #MADE}'s order. A function with an SQL-standard body (RETURN, BEGIN
   * ATOMIC) is parsed when it is made, check_function_bodies or not, and depends on what it reads: after the tables
   * and views when its body names one the migration makes, else with the other functions, before the tables whose
   * defaults, generated columns, checks and indexes may call it.
   */
  private static int rank(SchemaFinding finding, List<String> relations) {
    ObjectKind kind = finding.object().kind();
    if (kind == ObjectKind.FUNCTION && finding.change() != Change.UNEXPECTED && sqlBody(finding).isPresent()
        && relations.stream().anyMatch(name -> names(sqlBody(finding).orElseThrow(), name))) {
      return 2 * MADE.indexOf(ObjectKind.MATERIALIZED_VIEW) + 1;
    }
    // REPLICA IDENTITY USING INDEX needs the index, which may be new.
    if (kind == ObjectKind.TABLE && finding.change() == Change.CHANGED
        && finding.suggestedSql().orElse("").contains(" REPLICA IDENTITY USING INDEX ")) {
      return 2 * MADE.indexOf(ObjectKind.INDEX) + 1;
    }
    return 2 * MADE.indexOf(kind);
  }

  /**
   * The SQL-standard body of a function's CREATE statement, as pg_get_functiondef writes it: a string body follows a
   * header line starting " AS ", an SQL-standard one starts in column 0 right after the header (a plpgsql line
   * starting RETURN inside a string body is not one).
   */
  private static Optional<String> sqlBody(SchemaFinding finding) {
    String sql = finding.suggestedSql().orElse("");
    Matcher create = MADE_FUNCTION.matcher(sql);
    if (!create.find()) {
      return Optional.empty();
    }
    Matcher body = BODY_START.matcher(sql);
    if (!body.find(create.end()) || body.group(1).equals(" AS ")) {
      return Optional.empty();
    }
    return Optional.of(sql.substring(body.start()));
  }

  /**
   * A note at the top when an SQL-standard function reads a table or view the migration makes and another made
   * table, view or index calls it: creations alone cannot satisfy both, the file needs the table made without the
   * call and the call added after the function.
   */
  private static Optional<String> unorderable(List<SchemaFinding> findings, List<String> relations) {
    List<String> functions = new ArrayList<>();
    for (SchemaFinding function : findings) {
      if (function.object().kind() != ObjectKind.FUNCTION || rank(function, relations) % 2 == 0) {
        continue;
      }
      String name = function.object().qualifiedName();
      String bare = name.contains("(") ? name.substring(0, name.indexOf('(')) : name;
      if (findings.stream().anyMatch(f -> f.change() != Change.UNEXPECTED && f != function
          && (f.object().kind() == ObjectKind.TABLE || f.object().kind() == ObjectKind.COLUMN
              || f.object().kind() == ObjectKind.CONSTRAINT || f.object().kind() == ObjectKind.INDEX || isView(f))
          && names(f.suggestedSql().orElse(""), bare + "("))) {
        functions.add(bare);
      }
    }
    return functions.isEmpty() ? Optional.empty() : Optional.of("-- NOTE: " + String.join(", ",
        functions) + " (SQL-standard bodies) read tables or views this migration makes and are called by others it "
        + "makes: no order of the creations works; make those without the call, then the function, then add the call");
  }

  private static boolean names(String sql, String name) {
    return Pattern.compile("(?<![\\w.\"])" + Pattern.quote(name) + (name.endsWith("(") ? "" : "(?![\\w\"])"))
        .matcher(sql).find();
  }

  /**
   * The views and materialized views moved after the ones they read, which their statements name schema-qualified
   * (the snapshot deparses them with an empty search_path); everything else stays where it is.
   */
  private static List<SchemaFinding> viewsAfterWhatTheyRead(List<SchemaFinding> sorted) {
    List<SchemaFinding> views = sorted.stream().filter(MigrationSql::isView).toList();
    List<SchemaFinding> ordered = new ArrayList<>();
    for (SchemaFinding view : views) {
      visit(view, views, ordered, new ArrayList<>());
    }
    List<SchemaFinding> result = new ArrayList<>();
    int next = 0;
    for (SchemaFinding finding : sorted) {
      result.add(isView(finding) ? ordered.get(next++) : finding);
    }
    return result;
  }

  private static void visit(SchemaFinding view, List<SchemaFinding> views, List<SchemaFinding> ordered,
      List<SchemaFinding> path) {
    if (ordered.contains(view) || path.contains(view)) {
      return;
    }
    path.add(view);
    String sql = view.suggestedSql().orElse("");
    for (SchemaFinding other : views) {
      if (other != view && names(sql, other.object().qualifiedName())) {
        visit(other, views, ordered, path);
      }
    }
    ordered.add(view);
  }

  private static boolean isView(SchemaFinding finding) {
    return finding.object().kind() == ObjectKind.VIEW || finding.object().kind() == ObjectKind.MATERIALIZED_VIEW;
  }
}
