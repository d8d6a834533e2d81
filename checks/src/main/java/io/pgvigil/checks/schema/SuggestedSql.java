package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What brings a live object back to the expected one: statements, or why there is no safe automatic fix and the steps
 * by hand. Every finding gets one or the other. Statements that lose data (DROP TABLE, DROP COLUMN) or rewrite a table
 * under an ACCESS EXCLUSIVE lock (a column's type) carry a {@code --} warning above them. In the {@link FixStyle#LIVE
 * live} style index work uses CONCURRENTLY, except on partitioned indexes where PostgreSQL does not support it
 * (https://www.postgresql.org/docs/current/sql-createindex.html), and CHECK and FOREIGN KEY constraints are added NOT
 * VALID then validated, which keeps the ACCESS EXCLUSIVE lock short
 * (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT). Names come
 * quoted from the catalog ({@code format('%I.%I')}, {@code quote_ident}). Whole objects are made by {@link CreateSql},
 * types changed by {@link TypeSql}, privileges by {@link PrivilegeSql}.
 */
final class SuggestedSql {

  static final String DESTRUCTIVE = "-- DESTRUCTIVE: ";

  private SuggestedSql() {}

  static Fix of(ObjectRef ref, Change change, CatalogObject expected, CatalogObject actual, Set<String> changed,
      FixContext context) {
    CatalogObject present = expected != null ? expected : actual;
    Optional<String> table = present.owners().stream()
        .filter(owner -> owner.kind() == ObjectKind.TABLE || owner.kind() == ObjectKind.MATERIALIZED_VIEW
            || owner.kind() == ObjectKind.VIEW)
        .findFirst().flatMap(context::lookup).map(CatalogObject::sqlName);
    Optional<Fix> fix = switch (ref.kind()) {
      case INDEX -> Optional.of(IndexSql.of(change, expected, actual, changed, context));
      case COLUMN -> table.flatMap(t -> column(t, change, expected, actual, changed, context));
      case TABLE -> table(change, expected, actual, changed, context);
      case CONSTRAINT -> table.flatMap(t -> constraint(t, partitioned(present, context), change, expected, actual,
          context));
      case TRIGGER -> table.flatMap(t -> trigger(t, change, expected, actual, changed, context));
      case FUNCTION -> CreateSql.function(change, expected, actual, changed, context);
      case VIEW -> CreateSql.view(change, expected, actual, changed, context);
      case MATERIALIZED_VIEW -> CreateSql.materializedView(change, expected, actual, context);
      case SEQUENCE -> CreateSql.sequence(change, expected, actual, changed, context);
      case TYPE -> TypeSql.of(change, expected, actual, changed, context);
      case SCHEMA -> CreateSql.schema(change, expected, actual, context);
      case EXTENSION -> extension(change, expected, actual, changed);
      case POLICY -> table.map(t -> CreateSql.policy(t, change, expected, actual, context));
      case STATISTICS -> statistics(change, expected, actual, changed);
      case COMMENT -> PrivilegeSql.comment(change, expected, actual).map(Fix::sql);
      case GRANT -> PrivilegeSql.grant(ref, expected, actual).map(Fix::sql);
      case OWNER -> PrivilegeSql.owner(change, expected).map(Fix::sql);
      case DEFAULT_PRIVILEGES -> PrivilegeSql.defaultPrivileges(ref, expected, actual).map(Fix::sql);
    };
    return fix.orElseGet(() -> Fix.manual(why(ref.kind(), change, changed)));
  }

  /** The reason when no case above has statements: what PostgreSQL cannot do in place. */
  private static String why(ObjectKind kind, Change change, Set<String> changed) {
    if (kind == ObjectKind.OWNER && change == Change.UNEXPECTED) {
      return "the history does not say who should own it; ALTER ... OWNER TO the role the migrations run as";
    }
    return switch (change) {
      case MISSING -> "pgvigil cannot write this " + kind.yamlName() + " from the catalog; run the statement of the "
          + "migration that made it";
      case UNEXPECTED -> "pgvigil cannot say what depends on this " + kind.yamlName() + "; drop it by hand after "
          + "checking";
      case CHANGED -> String.join(", ", changed) + " cannot be changed in place; make the " + kind.yamlName()
          + " again as the migration that made it does, in a maintenance window";
    };
  }

  private static Optional<Fix> column(String table, Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed, FixContext context) {
    String alter = "ALTER TABLE " + table;
    if (change == Change.MISSING) {
      List<String> statements = new ArrayList<>();
      if (context.live() && "true".equals(expected.attribute("not_null")) && expected.attribute("default") == null
          && expected.attribute("identity") == null && expected.attribute("generated") == null) {
        statements.add("-- fails if the table has rows: add it nullable, fill it, then SET NOT NULL");
      }
      // ADD COLUMN rewrites the table when each row needs a value of its own: an identity, a stored generated
      // column, a volatile default (https://www.postgresql.org/docs/current/sql-altertable.html, Notes).
      String addedDefault = String.valueOf(expected.attribute("default"));
      if (context.live() && (expected.attribute("identity") != null || "stored".equals(expected.attribute(
          "generated")) || addedDefault.contains("nextval("))) {
        statements.add("-- rewrites the table under an ACCESS EXCLUSIVE lock (every row gets its own value): plan a "
            + "window");
      } else if (context.live() && addedDefault.contains("(")) {
        statements.add("-- rewrites the table under an ACCESS EXCLUSIVE lock if the default is volatile "
            + "(clock_timestamp(), random(), gen_random_uuid(), ...): plan a window then");
      }
      // A serial column's sequence is not reported apart from it: made first, for the default to name it.
      List<CatalogObject> serials = expected.attribute("identity") != null ? List.of()
          : context.parts(expected.ref(), ObjectKind.SEQUENCE);
      serials.forEach(sequence -> statements.add(CreateSql.createSequence(sequence) + ";"));
      statements.add(alter + " ADD COLUMN " + CreateSql.columnDefinition(expected, context) + ";");
      serials.forEach(sequence -> CreateSql.ownedBy(sequence, context).ifPresent(statements::add));
      CreateSql.privileges(expected.ref(), context, statements);
      return Fix.of(statements);
    }
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql(DESTRUCTIVE + "drops the column and every value in it\n" + alter + " DROP COLUMN "
          + actual.sqlName() + ";"));
    }
    String column = alter + " ALTER COLUMN " + expected.sqlName();
    if (changed.contains("generated") || changed.contains("generation_expression") || changed.contains("identity")) {
      return Optional.of(Fix.manual("a column's identity or generation cannot be brought back in place safely; add "
          + "the expected column under a new name, fill it, and swap the names in one transaction"));
    }
    List<String> statements = new ArrayList<>();
    boolean retyped = changed.contains("type") || changed.contains("collation");
    // ALTER COLUMN ... TYPE converts the old default too, and fails when it cannot: a default that changes with the
    // type goes first and comes back after (https://www.postgresql.org/docs/current/sql-altertable.html, Notes).
    boolean defaultFirst = retyped && changed.contains("default") && actual.attribute("default") != null;
    if (defaultFirst) {
      statements.add(column + " DROP DEFAULT;");
    }
    if (retyped) {
      statements.add(retype(column, expected, actual));
    }
    if (changed.contains("default") && !(defaultFirst && expected.attribute("default") == null)) {
      statements.add(expected.attribute("default") == null
          ? column + " DROP DEFAULT;" : column + " SET DEFAULT " + expected.attribute("default") + ";");
    }
    if (changed.contains("not_null") || changed.contains("not_null_not_valid")) {
      statements.add(column + ("true".equals(expected.attribute("not_null")) ? " SET NOT NULL;" : " DROP NOT NULL;"));
    }
    if (changed.contains("statistics_target")) {
      // -1 is the default target (default_statistics_target) on every major.
      String target = expected.attribute("statistics_target");
      statements.add(column + " SET STATISTICS " + (target == null ? "-1" : target) + ";");
    }
    return Fix.of(statements);
  }

  /**
   * A column's type back to the expected one. Only a conversion that keeps every value, or fails the statement on a
   * value that does not fit (a narrower varchar, a smaller integer type), is offered as safe; one that rounds, cuts,
   * pads or shifts values without an error (a lower numeric scale or time precision, float, date, name, character, a
   * time zone) is marked destructive with the reason. USING col::type is an explicit cast, which truncates where the
   * assignment cast would fail (https://www.postgresql.org/docs/current/datatype-character.html), so USING only where
   * no assignment cast exists.
   */
  private static String retype(String column, CatalogObject expected, CatalogObject actual) {
    String type = expected.attribute("type");
    String collation = expected.attribute("collation");
    String alter = column + " TYPE " + type + (collation == null ? "" : " COLLATE " + collation);
    String rewrite = "rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (reads and writes wait): "
        + "plan a window";
    boolean assignable = TypeCasts.assignable(actual.attribute("type"), type);
    TypeCasts.Conversion conversion = TypeCasts.classify(actual.attribute("type"), type);
    if (assignable && conversion.kind() == TypeCasts.Kind.WIDENS) {
      return "-- " + rewrite + "\n" + alter + ";";
    }
    if (assignable && conversion.kind() == TypeCasts.Kind.FAILS_IF_NOT_FITTING) {
      return "-- " + rewrite + "; " + conversion.reason() + "\n" + alter + ";";
    }
    String reason = conversion.kind() == TypeCasts.Kind.MAY_CHANGE_VALUES ? conversion.reason()
        : "no assignment cast, and USING converts with an explicit cast, which may "
            + "lose data (truncates what does not fit a narrower type)";
    return DESTRUCTIVE + actual.attribute("type") + " to " + type + ": " + reason + "; check the values "
        + "first. It " + rewrite + "\n" + alter + (assignable ? "" : " USING " + expected.sqlName() + "::" + type)
        + ";";
  }

  private static Optional<Fix> table(Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed, FixContext context) {
    if (change == Change.MISSING) {
      return CreateSql.table(expected, context);
    }
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql(DESTRUCTIVE + "drops the table and every row in it\nDROP TABLE " + actual.sqlName()
          + ";"));
    }
    String alter = "ALTER TABLE " + expected.sqlName();
    Set<String> inPlace = Set.of("rls_enabled", "rls_forced", "options", "replica_identity", "unlogged");
    // REPLICA IDENTITY USING INDEX names the index the expected table has for it.
    Optional<String> identityIndex = context.parts(expected.ref(), ObjectKind.INDEX).stream()
        .filter(index -> "true".equals(index.attribute("replica_identity"))).findFirst()
        .map(index -> IndexSql.localName(index.sqlName()));
    if (!inPlace.containsAll(changed)
        || "index".equals(expected.attribute("replica_identity")) && identityIndex.isEmpty()) {
      return Optional.empty();
    }
    List<String> statements = new ArrayList<>();
    if (changed.contains("rls_enabled")) {
      statements.add(alter + ("true".equals(expected.attribute("rls_enabled")) ? " ENABLE" : " DISABLE")
          + " ROW LEVEL SECURITY;");
    }
    if (changed.contains("rls_forced")) {
      statements.add(alter + ("true".equals(expected.attribute("rls_forced")) ? " FORCE" : " NO FORCE")
          + " ROW LEVEL SECURITY;");
    }
    if (changed.contains("options")) {
      statements.addAll(CreateSql.options(alter, expected.attribute("options"), actual.attribute("options")));
    }
    if (changed.contains("replica_identity")) {
      statements.add(alter + " REPLICA IDENTITY " + ("index".equals(expected.attribute("replica_identity"))
          ? "USING INDEX " + identityIndex.orElseThrow() : expected.attribute("replica_identity").toUpperCase())
          + ";");
    }
    if (changed.contains("unlogged")) {
      statements.add("-- rewrites the table under an ACCESS EXCLUSIVE lock: plan a window\n" + alter
          + ("true".equals(expected.attribute("unlogged")) ? " SET UNLOGGED;" : " SET LOGGED;"));
    }
    return Fix.of(statements);
  }

  private static boolean partitioned(CatalogObject part, FixContext context) {
    return part.owners().stream().filter(owner -> owner.kind() == ObjectKind.TABLE).findFirst()
        .flatMap(context::lookup).map(t -> "partitioned table".equals(t.attribute("relkind"))).orElse(false);
  }

  private static Optional<Fix> constraint(String table, boolean partitioned, Change change, CatalogObject expected,
      CatalogObject actual, FixContext context) {
    String alter = "ALTER TABLE " + table + " ";
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql(alter + "DROP CONSTRAINT " + actual.sqlName() + ";"));
    }
    String definition = expected.attribute("definition");
    String type = expected.attribute("type");
    String validate = alter + "VALIDATE CONSTRAINT " + expected.sqlName() + ";";
    // Before PostgreSQL 18 a foreign key on a partitioned table cannot be added NOT VALID ("cannot add NOT VALID
    // foreign key on partitioned table"): added plainly there, validated as it is added.
    boolean notValidAllowed = !("foreign key".equals(type) && partitioned && context.major() < 18);
    boolean checkable = context.live() && ("check".equals(type) || "foreign key".equals(type))
        && !definition.endsWith(" NOT VALID") && notValidAllowed;
    String add = "ADD CONSTRAINT " + expected.sqlName() + " " + definition
        + (checkable ? " NOT VALID;\n" + validate : ";");
    if (change == Change.MISSING) {
      return Optional.of(Fix.sql(alter + add));
    }
    boolean onlyNotValid =
        "true".equals(expected.attribute("validated")) && "false".equals(actual.attribute("validated"))
            && Objects.equals(actual.attribute("definition"), definition + " NOT VALID");
    if (onlyNotValid) {
      return Optional.of(Fix.sql(validate));
    }
    return Optional.of(Fix.sql(alter + "DROP CONSTRAINT " + actual.sqlName() + ", " + add));
  }

  private static Optional<Fix> trigger(String table, Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed, FixContext context) {
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql("DROP TRIGGER " + actual.sqlName() + " ON " + table + ";"));
    }
    if (change == Change.CHANGED && changed.equals(Set.of("enabled"))) {
      return Optional.of(Fix.sql(enableTrigger(table, expected)));
    }
    String create = expected.attribute("definition") + ";"
        + ("origin".equals(expected.attribute("enabled")) ? "" : "\n" + enableTrigger(table, expected));
    if (change == Change.CHANGED && context.major() >= 14 && create.startsWith("CREATE TRIGGER ")) {
      // One statement, so the table is never without the trigger (PostgreSQL 14+; not for constraint triggers).
      return Optional.of(Fix.sql("CREATE OR REPLACE TRIGGER " + create.substring("CREATE TRIGGER ".length())));
    }
    return Optional.of(Fix.sql(change == Change.MISSING ? create
        : "DROP TRIGGER " + actual.sqlName() + " ON " + table + ";\n" + create));
  }

  static String enableTrigger(String table, CatalogObject trigger) {
    String how = switch (trigger.attribute("enabled")) {
      case "disabled" -> "DISABLE TRIGGER ";
      case "replica" -> "ENABLE REPLICA TRIGGER ";
      case "always" -> "ENABLE ALWAYS TRIGGER ";
      default -> "ENABLE TRIGGER ";
    };
    return "ALTER TABLE " + table + " " + how + trigger.sqlName() + ";";
  }

  private static Optional<Fix> statistics(Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed) {
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql("DROP STATISTICS " + actual.sqlName() + ";"));
    }
    List<String> statements = new ArrayList<>();
    if (change == Change.MISSING || changed.contains("definition")) {
      if (change == Change.CHANGED) {
        statements.add("DROP STATISTICS " + actual.sqlName() + ";");
      }
      statements.add(expected.attribute("definition") + ";");
    }
    String target = expected.attribute("statistics_target");
    if (change == Change.MISSING ? target != null : changed.contains("statistics_target")
        || changed.contains("definition") && target != null) {
      statements.add("ALTER STATISTICS " + expected.sqlName() + " SET STATISTICS " + (target == null ? "-1" : target)
          + ";");
    }
    return Fix.of(statements);
  }

  private static Optional<Fix> extension(Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed) {
    return switch (change) {
      case MISSING -> Optional.of(Fix.sql("CREATE EXTENSION " + expected.sqlName() + " SCHEMA "
          + PrivilegeSql.identifier(expected.attribute("schema")) + " VERSION "
          + PrivilegeSql.literal(expected.attribute("version")) + ";"));
      case UNEXPECTED -> Optional.of(Fix.sql("-- fails while columns or other objects use what it provides\n"
          + "DROP EXTENSION " + actual.sqlName() + ";"));
      // A changed version is usually newer, and extensions ship no downgrade scripts: ALTER EXTENSION ... UPDATE TO
      // the expected version would fail.
      case CHANGED -> changed.equals(Set.of("schema"))
          ? Optional.of(Fix.sql("ALTER EXTENSION " + expected.sqlName() + " SET SCHEMA "
              + PrivilegeSql.identifier(expected.attribute("schema")) + ";"))
          : Optional.of(Fix.manual("extensions ship update scripts, rarely downgrades: update the history to "
              + "version " + actual.attribute("version") + " (ALTER EXTENSION " + expected.sqlName() + " UPDATE TO "
              + PrivilegeSql.literal(actual.attribute("version")) + " in a new migration), or reinstall version "
              + expected.attribute("version") + " by hand"));
    };
  }
}
