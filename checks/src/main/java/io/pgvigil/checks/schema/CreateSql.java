package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Statements that make (or drop, or replace) a whole object from its catalog description: tables with what hangs off
 * them, views, materialized views, sequences, functions, schemas and policies. A missing table is one finding, its
 * columns, constraints, indexes, triggers, policies, comments and owned sequences not reported again, so its fix makes
 * all of them; a new table is empty, so its indexes need no CONCURRENTLY.
 */
final class CreateSql {

  static final String FOREIGN_KEY = "foreign key";

  private CreateSql() {}

  static Optional<Fix> table(CatalogObject table, FixContext context) {
    if (!writable(table)) {
      return Optional.of(Fix.manual("pgvigil does not write foreign tables or tables with INHERITS; run the "
          + "statement of the migration that made it"));
    }
    List<String> statements = new ArrayList<>();
    List<String> foreignKeys = new ArrayList<>();
    table(table, context, statements, foreignKeys);
    statements.addAll(foreignKeys);
    return Fix.of(statements);
  }

  private static boolean writable(CatalogObject table) {
    return !"foreign table".equals(table.attribute("relkind")) && table.attribute("inherits") == null;
  }

  /**
   * The table's statements; its foreign keys apart, to be added once every table they refer to is made (a schema's
   * tables, in no order that knows their references).
   */
  private static void table(CatalogObject table, FixContext context, List<String> statements,
      List<String> foreignKeys) {
    String name = table.sqlName();
    List<CatalogObject> sequences = context.parts(table.ref(), ObjectKind.SEQUENCE);
    List<CatalogObject> columns = context.parts(table.ref(), ObjectKind.COLUMN).stream()
        .filter(c -> c.owners().get(0).equals(table.ref())).toList();
    // Sequences a column owns but does not generate (serial): made first, for the default to name them.
    List<CatalogObject> serials = sequences.stream().filter(s -> identityColumn(s, columns) == null).toList();
    serials.forEach(s -> statements.add(createSequence(s) + ";"));
    StringBuilder create = new StringBuilder("CREATE ")
        .append("true".equals(table.attribute("unlogged")) ? "UNLOGGED " : "").append("TABLE ").append(name);
    String parent = table.attribute("partition_of");
    if (parent != null) {
      create.append(" PARTITION OF ").append(context.lookup(new ObjectRef(ObjectKind.TABLE, parent))
          .map(CatalogObject::sqlName).orElse(parent)).append(' ').append(table.attribute("partition_bound"));
    } else {
      List<String> definitions = new ArrayList<>();
      for (CatalogObject column : columns) {
        CatalogObject identity = sequences.stream().filter(s -> s.owners().contains(column.ref())).findFirst()
            .orElse(null);
        definitions.add("  " + columnDefinition(column, identity));
      }
      create.append(" (\n").append(String.join(",\n", definitions)).append("\n)");
    }
    if (table.attribute("partition_key") != null) {
      create.append(" PARTITION BY ").append(table.attribute("partition_key"));
    }
    String accessMethod = table.attribute("access_method");
    if (accessMethod != null && !accessMethod.equals("heap")) {
      create.append(" USING ").append(PrivilegeSql.identifier(accessMethod));
    }
    if (table.attribute("options") != null) {
      create.append(" WITH (").append(table.attribute("options")).append(')');
    }
    statements.add(create + ";");
    String alter = "ALTER TABLE " + name;
    for (CatalogObject serial : serials) {
      ownedBy(serial, context).ifPresent(statements::add);
    }
    for (CatalogObject constraint : context.parts(table.ref(), ObjectKind.CONSTRAINT)) {
      if (!FixContext.copied(constraint)) {
        (FOREIGN_KEY.equals(constraint.attribute("type")) ? foreignKeys : statements).add(alter + " ADD CONSTRAINT "
            + constraint.sqlName() + " " + constraint.attribute("definition") + ";");
      }
    }
    partsOf(table, context, statements);
    for (CatalogObject policy : context.parts(table.ref(), ObjectKind.POLICY)) {
      statements.add(createPolicy(name, policy));
    }
    if ("true".equals(table.attribute("rls_enabled"))) {
      statements.add(alter + " ENABLE ROW LEVEL SECURITY;");
    }
    if ("true".equals(table.attribute("rls_forced"))) {
      statements.add(alter + " FORCE ROW LEVEL SECURITY;");
    }
    String identity = table.attribute("replica_identity");
    if ("full".equals(identity) || "nothing".equals(identity)) {
      statements.add(alter + " REPLICA IDENTITY " + identity.toUpperCase() + ";");
    } else if ("index".equals(identity)) {
      context.parts(table.ref(), ObjectKind.INDEX).stream().filter(i -> "true".equals(i.attribute("replica_identity")))
          .findFirst().ifPresent(i -> statements.add(alter + " REPLICA IDENTITY USING INDEX "
              + IndexSql.localName(i.sqlName()) + ";"));
    }
    for (CatalogObject column : columns) {
      privileges(column.ref(), context, statements);
    }
    for (CatalogObject statistics : context.parts(table.ref(), ObjectKind.STATISTICS)) {
      statements.add(statistics.attribute("definition") + ";");
    }
    for (CatalogObject partition : context.parts(table.ref(), ObjectKind.TABLE)) {
      if (table.ref().qualifiedName().equals(partition.attribute("partition_of"))) {
        table(partition, context, statements, foreignKeys);
      }
    }
  }

  /** Indexes (but those behind constraints or attached to a parent's), triggers and comments of a new relation. */
  private static void partsOf(CatalogObject relation, FixContext context, List<String> statements) {
    for (CatalogObject index : context.parts(relation.ref(), ObjectKind.INDEX)) {
      boolean attached = index.owners().stream()
          .anyMatch(o -> o.kind() == ObjectKind.CONSTRAINT || o.kind() == ObjectKind.INDEX);
      if (!attached) {
        statements.add(index.attribute("definition") + ";");
      }
      comments(index.ref(), context, statements);
    }
    for (CatalogObject trigger : context.parts(relation.ref(), ObjectKind.TRIGGER)) {
      if (!FixContext.copied(trigger)) {
        statements.add(trigger.attribute("definition") + ";");
        if (!"origin".equals(trigger.attribute("enabled"))) {
          statements.add(SuggestedSql.enableTrigger(relation.sqlName(), trigger));
        }
      }
    }
    privileges(relation.ref(), context, statements);
  }

  /**
   * What the diff reports under a missing object and PostgreSQL does not make with it: its comment, grants and owner
   * (each in the snapshot only when {@code drift.compare} has its kind).
   */
  static void privileges(ObjectRef owner, FixContext context, List<String> statements) {
    comments(owner, context, statements);
    for (CatalogObject grant : context.parts(owner, ObjectKind.GRANT)) {
      PrivilegeSql.grant(grant.ref(), grant, null).ifPresent(statements::add);
    }
    for (CatalogObject role : context.parts(owner, ObjectKind.OWNER)) {
      PrivilegeSql.owner(Change.MISSING, role).ifPresent(statements::add);
    }
  }

  private static void comments(ObjectRef owner, FixContext context, List<String> statements) {
    for (CatalogObject comment : context.parts(owner, ObjectKind.COMMENT)) {
      PrivilegeSql.comment(Change.MISSING, comment, null).ifPresent(statements::add);
    }
  }

  /** A column as ADD COLUMN and CREATE TABLE write it; an identity column's sequence options from its sequence. */
  static String columnDefinition(CatalogObject column, FixContext context) {
    CatalogObject identity = context.lookup(column.owners().get(0)).flatMap(table -> context
        .parts(table.ref(), ObjectKind.SEQUENCE).stream().filter(s -> s.owners().contains(column.ref())).findFirst())
        .orElse(null);
    return columnDefinition(column, identity);
  }

  private static String columnDefinition(CatalogObject column, CatalogObject identitySequence) {
    StringBuilder sql = new StringBuilder(column.sqlName()).append(' ').append(column.attribute("type"));
    if (column.attribute("collation") != null) {
      sql.append(" COLLATE ").append(column.attribute("collation"));
    }
    if (column.attribute("generated") != null) {
      sql.append(" GENERATED ALWAYS AS (").append(column.attribute("generation_expression")).append(") ")
          .append(column.attribute("generated").toUpperCase());
    } else if (column.attribute("identity") != null) {
      sql.append(" GENERATED ").append(column.attribute("identity").toUpperCase()).append(" AS IDENTITY");
      if (identitySequence != null) {
        sql.append(" (SEQUENCE NAME ").append(identitySequence.sqlName()).append(sequenceOptions(identitySequence))
            .append(')');
      }
    } else if (column.attribute("default") != null) {
      sql.append(" DEFAULT ").append(column.attribute("default"));
    }
    if ("true".equals(column.attribute("not_null")) && column.attribute("identity") == null) {
      sql.append(" NOT NULL");
    }
    return sql.toString();
  }

  private static CatalogObject identityColumn(CatalogObject sequence, List<CatalogObject> columns) {
    return columns.stream().filter(c -> c.attribute("identity") != null && sequence.owners().contains(c.ref()))
        .findFirst().orElse(null);
  }

  /** {@code SET (a=1)} for options expected and different, {@code RESET (b)} for those live has beyond them. */
  static List<String> options(String alter, String expected, String actual) {
    Set<String> want = split(expected);
    Set<String> have = split(actual);
    List<String> set = want.stream().filter(o -> !have.contains(o)).toList();
    Set<String> wantedKeys = new TreeSet<>(want.stream().map(o -> o.split("=", 2)[0]).toList());
    List<String> reset = have.stream().map(o -> o.split("=", 2)[0]).filter(k -> !wantedKeys.contains(k)).toList();
    List<String> statements = new ArrayList<>();
    if (!set.isEmpty()) {
      statements.add(alter + " SET (" + String.join(", ", set) + ");");
    }
    if (!reset.isEmpty()) {
      statements.add(alter + " RESET (" + String.join(", ", reset) + ");");
    }
    return statements;
  }

  private static Set<String> split(String options) {
    return options == null ? Set.of() : new TreeSet<>(Arrays.asList(options.split(", ")));
  }

  static Optional<Fix> function(Change change, CatalogObject expected, CatalogObject actual, Set<String> changed,
      FixContext context) {
    if (change == Change.UNEXPECTED) {
      String kind = switch (String.valueOf(actual.attribute("kind"))) {
        case "procedure" -> "PROCEDURE ";
        case "aggregate" -> "AGGREGATE ";
        default -> "FUNCTION ";
      };
      return Optional.of(Fix.sql("DROP " + kind + actual.sqlName() + ";"));
    }
    String definition = expected.attribute("definition");
    if (definition == null) {
      return Optional.of(Fix.manual("pgvigil does not write aggregates; run the CREATE AGGREGATE of the migration "
          + "that made it (expected: " + expected.attribute("aggregate") + ")"));
    }
    // CREATE OR REPLACE cannot change a function's result type or kind, an input parameter's name, or remove a
    // parameter's default (https://www.postgresql.org/docs/current/sql-createfunction.html, Notes); a changed or
    // added default it takes. Else the old one goes first (and with it, as the error then says, what depends on it),
    // and its comment, grants and owner are made again as for a new function.
    boolean replaceable = change == Change.MISSING || !changed.contains("result") && !changed.contains("kind")
        && replaceableParameters(firstLine(definition), firstLine(actual.attribute("definition")));
    List<String> statements = new ArrayList<>();
    if (!replaceable) {
      statements.add("DROP " + ("procedure".equals(actual.attribute("kind")) ? "PROCEDURE " : "FUNCTION ")
          + actual.sqlName() + ";");
    }
    statements.add(definition.strip() + ";");
    if (!replaceable) {
      privileges(expected.ref(), context, statements);
    }
    return Fix.of(statements);
  }

  private static String firstLine(String definition) {
    return definition == null ? "" : definition.strip().lines().findFirst().orElse("");
  }

  /**
   * Whether CREATE OR REPLACE takes the parameters of one first line of pg_get_functiondef for another's: the same
   * parameters but for their defaults, none of which goes away. The argument types are the function's identity, so a
   * parameter that differs before its DEFAULT differs in its name.
   */
  static boolean replaceableParameters(String expected, String actual) {
    List<String> want = parameters(expected);
    List<String> have = parameters(actual);
    if (want == null || have == null || want.size() != have.size()) {
      return false;
    }
    for (int i = 0; i < want.size(); i++) {
      int wantDefault = want.get(i).indexOf(" DEFAULT ");
      int haveDefault = have.get(i).indexOf(" DEFAULT ");
      String wantHead = wantDefault < 0 ? want.get(i) : want.get(i).substring(0, wantDefault);
      String haveHead = haveDefault < 0 ? have.get(i) : have.get(i).substring(0, haveDefault);
      if (!wantHead.equals(haveHead) || haveDefault >= 0 && wantDefault < 0) {
        return false;
      }
    }
    return true;
  }

  /** The parameters between the first line's outer parentheses, split at top-level commas; null when unreadable. */
  private static List<String> parameters(String firstLine) {
    int open = firstLine.indexOf('(');
    int close = firstLine.lastIndexOf(')');
    if (open < 0 || close < open) {
      return null;
    }
    List<String> parameters = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    char quote = 0;
    int from = open + 1;
    for (int i = open + 1; i < close; i++) {
      char c = firstLine.charAt(i);
      if (quoted) {
        quoted = c != quote;
      } else if (c == '\'' || c == '"') {
        quoted = true;
        quote = c;
      } else if (c == '(' || c == '[') {
        depth++;
      } else if (c == ')' || c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parameters.add(firstLine.substring(from, i).strip());
        from = i + 1;
      }
    }
    String last = firstLine.substring(from, close).strip();
    if (!last.isEmpty() || !parameters.isEmpty()) {
      parameters.add(last);
    }
    return parameters;
  }

  static Optional<Fix> view(Change change, CatalogObject expected, CatalogObject actual, Set<String> changed,
      FixContext context) {
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql("DROP VIEW " + actual.sqlName() + ";"));
    }
    String body = body(expected);
    if (change == Change.MISSING) {
      List<String> statements = new ArrayList<>(List.of("CREATE VIEW " + expected.sqlName() + with(expected)
          + " AS\n" + body + ";"));
      privileges(expected.ref(), context, statements);
      return Fix.of(statements);
    }
    List<String> statements = new ArrayList<>();
    // CREATE OR REPLACE VIEW replaces the view's options with its WITH list, none when absent: security_invoker and
    // security_barrier would be lost with it (https://www.postgresql.org/docs/current/sql-createview.html). The
    // expected options go with it, so nothing is left to SET or RESET after.
    if (changed.contains("definition")) {
      statements.add("-- fails if a column was dropped, renamed or retyped (CREATE OR REPLACE only adds columns at "
          + "the end): then DROP VIEW and CREATE VIEW in one transaction, with the views that depend on it and its "
          + "grants\nCREATE OR REPLACE VIEW " + expected.sqlName() + with(expected) + " AS\n" + body + ";");
    } else if (changed.contains("options")) {
      statements.addAll(options("ALTER VIEW " + expected.sqlName(), expected.attribute("options"),
          actual.attribute("options")));
    }
    return Fix.of(statements);
  }

  static Optional<Fix> materializedView(Change change, CatalogObject expected, CatalogObject actual,
      FixContext context) {
    String drop = "DROP MATERIALIZED VIEW " + (actual == null ? "" : actual.sqlName()) + ";";
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql(drop));
    }
    List<String> statements = new ArrayList<>();
    if (change == Change.CHANGED) {
      statements.add(drop);
    }
    // Live fills it after, outside the statement's locks; a migration makes it as the history would, filled.
    statements.add("CREATE MATERIALIZED VIEW " + expected.sqlName() + with(expected) + " AS\n" + body(expected)
        + (context.live() ? "\nWITH NO DATA;" : "\nWITH DATA;"));
    partsOf(expected, context, statements);
    if (context.live()) {
      statements.add("-- then fill it: REFRESH MATERIALIZED VIEW " + expected.sqlName() + ";");
    }
    return Fix.of(statements);
  }

  private static String body(CatalogObject view) {
    String definition = view.attribute("definition").strip();
    return definition.endsWith(";") ? definition.substring(0, definition.length() - 1) : definition;
  }

  private static String with(CatalogObject relation) {
    return relation.attribute("options") == null ? "" : " WITH (" + relation.attribute("options") + ")";
  }

  static Optional<Fix> sequence(Change change, CatalogObject expected, CatalogObject actual, Set<String> changed,
      FixContext context) {
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql("-- fails while a column's default uses it\nDROP SEQUENCE " + actual.sqlName()
          + ";"));
    }
    if (change == Change.MISSING) {
      List<String> statements = new ArrayList<>(List.of(createSequence(expected) + ";"));
      ownedBy(expected, context).ifPresent(statements::add);
      return Fix.of(statements);
    }
    List<String> statements = new ArrayList<>();
    Set<String> parameters = new TreeSet<>(changed);
    parameters.removeAll(Set.of("owned_by", "unlogged"));
    if (!parameters.isEmpty()) {
      statements.add("ALTER SEQUENCE " + expected.sqlName() + " AS " + expected.attribute("type")
          + sequenceOptions(expected) + ";");
    }
    if (changed.contains("unlogged")) {
      statements.add("ALTER SEQUENCE " + expected.sqlName()
          + ("true".equals(expected.attribute("unlogged")) ? " SET UNLOGGED;" : " SET LOGGED;"));
    }
    if (changed.contains("owned_by")) {
      statements.add(ownedBy(expected, context)
          .orElse("ALTER SEQUENCE " + expected.sqlName() + " OWNED BY NONE;"));
    }
    return Fix.of(statements);
  }

  static String createSequence(CatalogObject sequence) {
    return "CREATE " + ("true".equals(sequence.attribute("unlogged")) ? "UNLOGGED " : "") + "SEQUENCE "
        + sequence.sqlName() + " AS " + sequence.attribute("type") + sequenceOptions(sequence);
  }

  private static String sequenceOptions(CatalogObject sequence) {
    return " INCREMENT BY " + sequence.attribute("increment")
        + " MINVALUE " + sequence.attribute("min") + " MAXVALUE " + sequence.attribute("max")
        + " START WITH " + sequence.attribute("start") + " CACHE " + sequence.attribute("cache")
        + ("true".equals(sequence.attribute("cycle")) ? " CYCLE" : " NO CYCLE");
  }

  /** {@code ALTER SEQUENCE ... OWNED BY table.column}, names quoted as the catalog quotes them. */
  static Optional<String> ownedBy(CatalogObject sequence, FixContext context) {
    Optional<ObjectRef> column = sequence.owners().stream().filter(o -> o.kind() == ObjectKind.COLUMN).findFirst();
    return column.flatMap(context::lookup).flatMap(c -> context.lookup(c.owners().get(0))
        .map(t -> "ALTER SEQUENCE " + sequence.sqlName() + " OWNED BY " + t.sqlName() + "." + c.sqlName() + ";"));
  }

  static Optional<Fix> schema(Change change, CatalogObject expected, CatalogObject actual, FixContext context) {
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql(SuggestedSql.DESTRUCTIVE + "drops the schema and everything in it\nDROP SCHEMA "
          + actual.sqlName() + " CASCADE;"));
    }
    if (change == Change.CHANGED) {
      return Optional.empty();
    }
    // What the schema held is not reported again: made here, those that others may use first.
    List<String> statements = new ArrayList<>(List.of("CREATE SCHEMA " + expected.sqlName() + ";"));
    List<String> foreignKeys = new ArrayList<>();
    for (ObjectKind kind : List.of(ObjectKind.TYPE, ObjectKind.SEQUENCE, ObjectKind.FUNCTION, ObjectKind.TABLE,
        ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW)) {
      for (CatalogObject part : context.parts(expected.ref(), kind)) {
        boolean madeWithItsTable = part.attribute("partition_of") != null
            || kind == ObjectKind.SEQUENCE && part.attribute("owned_by") != null;
        if (kind == ObjectKind.TABLE && !madeWithItsTable && writable(part)) {
          table(part, context, statements, foreignKeys);
        } else if (!madeWithItsTable) {
          Fix fix = SuggestedSql.of(part.ref(), Change.MISSING, part, null, Set.of(), context);
          statements.add(fix.sql().orElseGet(() -> "-- " + part.ref() + ": " + fix.manual().orElseThrow()));
        }
      }
    }
    statements.addAll(foreignKeys);
    return Fix.of(statements);
  }

  static Fix policy(String table, Change change, CatalogObject expected, CatalogObject actual, FixContext context) {
    String drop = "DROP POLICY " + (actual == null ? "" : actual.sqlName()) + " ON " + table + ";";
    if (change == Change.UNEXPECTED) {
      return Fix.sql(drop);
    }
    if (change == Change.MISSING) {
      return Fix.sql(createPolicy(table, expected));
    }
    boolean alterable = expected.attribute("command").equals(actual.attribute("command"))
        && expected.attribute("permissive").equals(actual.attribute("permissive"))
        && (expected.attribute("using") != null || actual.attribute("using") == null)
        && (expected.attribute("with_check") != null || actual.attribute("with_check") == null);
    if (alterable) {
      return Fix.sql("ALTER POLICY " + expected.sqlName() + " ON " + table + " TO " + roles(expected)
          + (expected.attribute("using") == null ? "" : " USING (" + expected.attribute("using") + ")")
          + (expected.attribute("with_check") == null ? "" : " WITH CHECK (" + expected.attribute("with_check") + ")")
          + ";");
    }
    // Dropped and made again in one transaction: no moment without the policy.
    String replace = drop + "\n" + createPolicy(table, expected);
    return Fix.sql(context.live() ? "BEGIN;\n" + replace + "\nCOMMIT;" : replace);
  }

  static String createPolicy(String table, CatalogObject policy) {
    return "CREATE POLICY " + policy.sqlName() + " ON " + table
        + ("true".equals(policy.attribute("permissive")) ? " AS PERMISSIVE" : " AS RESTRICTIVE")
        + " FOR " + policy.attribute("command") + " TO " + roles(policy)
        + (policy.attribute("using") == null ? "" : " USING (" + policy.attribute("using") + ")")
        + (policy.attribute("with_check") == null ? "" : " WITH CHECK (" + policy.attribute("with_check") + ")")
        + ";";
  }

  /** The policy's roles as the catalog lists them (quoted, {@code public} for PUBLIC). */
  private static String roles(CatalogObject policy) {
    String roles = policy.attribute("roles");
    if (roles == null) {
      return "PUBLIC";
    }
    return String.join(", ", Arrays.stream(roles.split(", ")).map(r -> r.equals("public") ? "PUBLIC" : r).toList());
  }
}
