package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The statements of a migration made from findings ({@link FixStyle#MIGRATION}): what goes away first, most dependent
 * first (policies and triggers before the tables under them, tables before their types and schemas), then what is
 * made or changed, what others use first (schemas, extensions, types, sequences and functions before the tables, views
 * and triggers that use them).
 */
public final class MigrationSql {

  /** The order objects are made in; they are dropped in the reverse order. */
  private static final List<ObjectKind> MADE = List.of(ObjectKind.SCHEMA, ObjectKind.EXTENSION, ObjectKind.TYPE,
      ObjectKind.SEQUENCE, ObjectKind.FUNCTION, ObjectKind.TABLE, ObjectKind.COLUMN, ObjectKind.CONSTRAINT,
      ObjectKind.INDEX, ObjectKind.VIEW, ObjectKind.MATERIALIZED_VIEW, ObjectKind.TRIGGER, ObjectKind.POLICY,
      ObjectKind.STATISTICS, ObjectKind.COMMENT, ObjectKind.GRANT, ObjectKind.OWNER, ObjectKind.DEFAULT_PRIVILEGES);

  private static final Pattern FOREIGN_KEY = Pattern.compile("^ALTER TABLE \\S.* ADD CONSTRAINT .* FOREIGN KEY \\(");

  private MigrationSql() {}

  private static boolean addsForeignKey(String line) {
    return FOREIGN_KEY.matcher(line).find();
  }

  /** Each finding's statements, drops first; findings without statements are left out (say so before calling). */
  public static List<String> ordered(List<SchemaFinding> findings) {
    Comparator<SchemaFinding> made = Comparator.comparingInt(f -> MADE.indexOf(f.object().kind()));
    List<String> statements = new ArrayList<>();
    findings.stream().filter(f -> f.change() == Change.UNEXPECTED)
        .sorted(made.reversed().thenComparing(SchemaFinding::object))
        .forEach(f -> f.suggestedSql().ifPresent(statements::add));
    // The foreign keys of new tables once every new table is there: they may refer to each other.
    List<String> foreignKeys = new ArrayList<>();
    findings.stream().filter(f -> f.change() != Change.UNEXPECTED)
        .sorted(made.thenComparing(SchemaFinding::object))
        .forEach(f -> f.suggestedSql().ifPresent(sql -> {
          if (f.change() == Change.MISSING
              && (f.object().kind() == ObjectKind.TABLE || f.object().kind() == ObjectKind.SCHEMA)) {
            List<String> lines = sql.lines().toList();
            lines.stream().filter(MigrationSql::addsForeignKey).forEach(foreignKeys::add);
            statements.add(String.join("\n", lines.stream().filter(l -> !addsForeignKey(l)).toList()));
          } else {
            statements.add(sql);
          }
        }));
    statements.addAll(foreignKeys);
    return statements;
  }
}
