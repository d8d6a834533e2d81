package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A statement that would bring a live object back to the expected one, where that is straightforward and loses no data:
 * never DROP TABLE or DROP COLUMN, never a column type change (a table rewrite under an ACCESS EXCLUSIVE lock needs a
 * person to plan it). Index work uses CONCURRENTLY, except on partitioned indexes where PostgreSQL does not support it
 * (https://www.postgresql.org/docs/current/sql-createindex.html). Names come quoted from the catalog ({@code
 * format('%I.%I')}, {@code quote_ident}).
 */
final class SuggestedSql {

  private SuggestedSql() {}

  static Optional<String> of(ObjectRef ref, Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed, Function<ObjectRef, Optional<CatalogObject>> lookup) {
    CatalogObject present = expected != null ? expected : actual;
    Optional<String> table = present.owners().stream()
        .filter(owner -> owner.kind() == ObjectKind.TABLE || owner.kind() == ObjectKind.MATERIALIZED_VIEW
            || owner.kind() == ObjectKind.VIEW)
        .findFirst().flatMap(lookup).map(CatalogObject::sqlName);
    return switch (ref.kind()) {
      case INDEX -> index(change, expected, actual, changed);
      case COLUMN -> table.flatMap(t -> column(t, change, expected, actual, changed));
      case TABLE -> change == Change.CHANGED
          ? rowSecurity(expected.sqlName(), expected, changed) : Optional.empty();
      case CONSTRAINT -> table.flatMap(t -> constraint(t, change, expected, actual, changed));
      case TRIGGER -> table.flatMap(t -> trigger(t, change, expected, changed));
      case FUNCTION -> change != Change.UNEXPECTED && expected.attribute("definition") != null
          ? Optional.of(expected.attribute("definition").strip() + ";") : Optional.empty();
      case VIEW -> change != Change.UNEXPECTED
          ? Optional.of("CREATE OR REPLACE VIEW " + expected.sqlName() + " AS\n" + expected.attribute("definition"))
          : Optional.empty();
      case SEQUENCE -> change == Change.CHANGED ? Optional.of(sequence(expected)) : Optional.empty();
      case EXTENSION -> extension(change, expected);
      case STATISTICS -> statistics(change, expected, actual, changed);
      case COMMENT -> PrivilegeSql.comment(change, expected, actual);
      case GRANT -> PrivilegeSql.grant(ref, expected, actual);
      case OWNER -> PrivilegeSql.owner(change, expected);
      case DEFAULT_PRIVILEGES -> PrivilegeSql.defaultPrivileges(ref, expected, actual);
      default -> Optional.empty();
    };
  }

  private static Optional<String> index(Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed) {
    if (change == Change.UNEXPECTED) {
      return Optional.of(dropIndex(actual));
    }
    if (change == Change.MISSING) {
      return Optional.of(createIndex(expected));
    }
    if (changed.equals(Set.of("valid")) && "false".equals(actual.attribute("valid"))) {
      return Optional.of("REINDEX INDEX CONCURRENTLY " + actual.sqlName() + ";");
    }
    return Optional.of(dropIndex(actual) + "\n" + createIndex(expected));
  }

  private static String dropIndex(CatalogObject index) {
    return (partitioned(index) ? "DROP INDEX " : "DROP INDEX CONCURRENTLY ") + index.sqlName() + ";";
  }

  private static String createIndex(CatalogObject index) {
    String definition = index.attribute("definition");
    if (!partitioned(index)) {
      definition = definition.replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX CONCURRENTLY ");
    }
    return definition + ";";
  }

  private static boolean partitioned(CatalogObject index) {
    return "true".equals(index.attribute("partitioned"));
  }

  private static Optional<String> column(
      String table, Change change, CatalogObject expected, CatalogObject actual, Set<String> changed) {
    if (change == Change.MISSING) {
      if (expected.attribute("generated") != null || expected.attribute("identity") != null) {
        return Optional.empty();
      }
      return Optional.of("ALTER TABLE " + table + " ADD COLUMN " + expected.sqlName() + " " + expected.attribute("type")
          + (expected.attribute("collation") == null ? "" : " COLLATE " + expected.attribute("collation"))
          + (expected.attribute("default") == null ? "" : " DEFAULT " + expected.attribute("default"))
          + ("true".equals(expected.attribute("not_null")) ? " NOT NULL" : "") + ";");
    }
    if (change == Change.UNEXPECTED) {
      return Optional.empty();
    }
    String alter = "ALTER TABLE " + table + " ALTER COLUMN " + expected.sqlName();
    List<String> statements = new ArrayList<>();
    if (changed.contains("default") && expected.attribute("generated") == null) {
      statements.add(expected.attribute("default") == null
          ? alter + " DROP DEFAULT;" : alter + " SET DEFAULT " + expected.attribute("default") + ";");
    }
    if (changed.contains("not_null")) {
      statements.add(alter + ("true".equals(expected.attribute("not_null")) ? " SET NOT NULL;" : " DROP NOT NULL;"));
    }
    if (changed.contains("statistics_target")) {
      // -1 is the default target (default_statistics_target) on every major.
      String target = expected.attribute("statistics_target");
      statements.add(alter + " SET STATISTICS " + (target == null ? "-1" : target) + ";");
    }
    return joined(statements);
  }

  private static Optional<String> joined(List<String> statements) {
    return statements.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", statements));
  }

  private static Optional<String> rowSecurity(String table, CatalogObject expected, Set<String> changed) {
    List<String> statements = new ArrayList<>();
    if (changed.contains("rls_enabled")) {
      statements.add("ALTER TABLE " + table + ("true".equals(expected.attribute("rls_enabled"))
          ? " ENABLE" : " DISABLE") + " ROW LEVEL SECURITY;");
    }
    if (changed.contains("rls_forced")) {
      statements.add("ALTER TABLE " + table + ("true".equals(expected.attribute("rls_forced"))
          ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY;");
    }
    return joined(statements);
  }

  private static Optional<String> constraint(
      String table, Change change, CatalogObject expected, CatalogObject actual, Set<String> changed) {
    String alter = "ALTER TABLE " + table + " ";
    if (change == Change.UNEXPECTED) {
      return Optional.of(alter + "DROP CONSTRAINT " + actual.sqlName() + ";");
    }
    String definition = expected.attribute("definition");
    if (change == Change.MISSING) {
      return Optional.of(alter + "ADD CONSTRAINT " + expected.sqlName() + " " + definition + ";");
    }
    String validate = alter + "VALIDATE CONSTRAINT " + expected.sqlName() + ";";
    boolean onlyNotValid =
        "true".equals(expected.attribute("validated")) && "false".equals(actual.attribute("validated"))
            && Objects.equals(actual.attribute("definition"), definition + " NOT VALID");
    if (onlyNotValid) {
      return Optional.of(validate);
    }
    String type = expected.attribute("type");
    boolean checkable = ("check".equals(type) || "foreign key".equals(type)) && !definition.endsWith(" NOT VALID");
    // Adding FK and CHECK constraints NOT VALID, then validating, keeps the ACCESS EXCLUSIVE lock short
    // (https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-VALIDATE-CONSTRAINT).
    return Optional.of(alter + "DROP CONSTRAINT " + actual.sqlName() + ", ADD CONSTRAINT " + expected.sqlName() + " "
        + definition + (checkable ? " NOT VALID;\n" + validate : ";"));
  }

  private static Optional<String> trigger(String table, Change change, CatalogObject expected, Set<String> changed) {
    if (change == Change.MISSING) {
      String enable = enableTrigger(table, expected);
      return Optional.of(expected.attribute("definition") + ";"
          + ("origin".equals(expected.attribute("enabled")) ? "" : "\n" + enable));
    }
    if (change == Change.CHANGED && changed.equals(Set.of("enabled"))) {
      return Optional.of(enableTrigger(table, expected));
    }
    return Optional.empty();
  }

  private static String enableTrigger(String table, CatalogObject trigger) {
    String how = switch (trigger.attribute("enabled")) {
      case "disabled" -> "DISABLE TRIGGER ";
      case "replica" -> "ENABLE REPLICA TRIGGER ";
      case "always" -> "ENABLE ALWAYS TRIGGER ";
      default -> "ENABLE TRIGGER ";
    };
    return "ALTER TABLE " + table + " " + how + trigger.sqlName() + ";";
  }

  private static String sequence(CatalogObject expected) {
    return "ALTER SEQUENCE " + expected.sqlName() + " AS " + expected.attribute("type")
        + " INCREMENT BY " + expected.attribute("increment")
        + " MINVALUE " + expected.attribute("min") + " MAXVALUE " + expected.attribute("max")
        + " START WITH " + expected.attribute("start") + " CACHE " + expected.attribute("cache")
        + ("true".equals(expected.attribute("cycle")) ? " CYCLE;" : " NO CYCLE;");
  }

  private static Optional<String> statistics(Change change, CatalogObject expected, CatalogObject actual,
      Set<String> changed) {
    if (change == Change.UNEXPECTED) {
      return Optional.of("DROP STATISTICS " + actual.sqlName() + ";");
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
    return joined(statements);
  }

  // Only for a missing extension: a changed version is usually newer and extensions ship no downgrade scripts, so ALTER
  // EXTENSION ... UPDATE TO the expected version would fail.
  private static Optional<String> extension(Change change, CatalogObject expected) {
    return change == Change.MISSING ? Optional
        .of("CREATE EXTENSION " + expected.sqlName() + " VERSION " + literal(expected.attribute("version")) + ";")
        : Optional.empty();
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
