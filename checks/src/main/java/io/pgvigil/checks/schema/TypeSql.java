package io.pgvigil.checks.schema;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Fixes for types: enums, domains, composite and range types. An enum's missing labels are added in their place
 * ({@code ADD VALUE ... BEFORE/AFTER}); PostgreSQL cannot drop or reorder labels
 * (https://www.postgresql.org/docs/current/sql-altertype.html), so a label live has beyond the history, or labels in
 * another order, have no automatic fix.
 */
final class TypeSql {

  private TypeSql() {}

  static Optional<Fix> of(Change change, CatalogObject expected, CatalogObject actual, Set<String> changed,
      FixContext context) {
    if (change == Change.UNEXPECTED) {
      return Optional.of(Fix.sql("-- fails while columns or functions use it\nDROP "
          + ("domain".equals(actual.attribute("kind")) ? "DOMAIN " : "TYPE ") + actual.sqlName() + ";"));
    }
    String name = expected.sqlName();
    String kind = expected.attribute("kind");
    if (change == Change.MISSING) {
      return switch (kind) {
        case "enum" -> Optional.of(Fix.sql("CREATE TYPE " + name + " AS ENUM (" + String.join(", ",
            labels(expected).stream().map(PrivilegeSql::literal).toList()) + ");"));
        case "domain" -> Optional.of(Fix.sql(createDomain(expected)));
        case "composite" -> Optional.of(Fix.sql("CREATE TYPE " + name + " AS (" + expected.attribute("attributes")
            + ");"));
        case "range" -> Optional.of(Fix.sql("CREATE TYPE " + name + " AS RANGE (SUBTYPE = "
            + expected.attribute("subtype") + (expected.attribute("subtype_opclass") == null ? ""
                : ", SUBTYPE_OPCLASS = " + PrivilegeSql.identifier(expected.attribute("subtype_opclass")))
            + ");"));
        default -> Optional.empty();
      };
    }
    if (!kind.equals(actual.attribute("kind"))) {
      return Optional.empty();
    }
    return switch (kind) {
      case "enum" -> Optional.of(labels(name, labels(expected), labels(actual)));
      case "domain" -> domain(name, expected, actual, changed, context);
      default -> Optional.of(Fix.manual("a " + kind + " type in use cannot be changed in place safely: make the "
          + "expected one under a new name, move each column to it (ALTER TABLE ... ALTER COLUMN ... TYPE, a table "
          + "rewrite), drop the old one and rename the new"));
    };
  }

  static List<String> labels(CatalogObject type) {
    return new JsonArray(type.attribute("labels")).stream().map(String::valueOf).toList();
  }

  /** Each missing label after the expected one before it (or before the one after it), in the expected order. */
  private static Fix labels(String name, List<String> expected, List<String> actual) {
    List<String> extra = actual.stream().filter(label -> !expected.contains(label)).toList();
    List<String> kept = expected.stream().filter(actual::contains).toList();
    if (!extra.isEmpty() || !kept.equals(actual)) {
      return Fix.manual((extra.isEmpty() ? "the labels are in another order" : "live has labels the history does "
          + "not: " + String.join(", ", extra)) + ", and PostgreSQL can only add or rename an enum's labels, never drop"
          + " or move them. By hand: CREATE TYPE <new name> AS ENUM (" + String.join(", ",
              expected.stream().map(PrivilegeSql::literal).toList())
          + "); change the rows that use a label the "
          + "history lacks; move each column: ALTER TABLE ... ALTER COLUMN ... TYPE <new name> USING column::text::"
          + "<new name> (rewrites the table under an ACCESS EXCLUSIVE lock); DROP TYPE " + name + "; ALTER TYPE "
          + "<new name> RENAME TO " + IndexSql.localName(name) + ".");
    }
    List<String> present = new ArrayList<>(actual);
    List<String> statements = new ArrayList<>();
    for (int i = 0; i < expected.size(); i++) {
      String label = expected.get(i);
      if (present.contains(label)) {
        continue;
      }
      String place = "";
      if (i > 0) {
        place = " AFTER " + PrivilegeSql.literal(expected.get(i - 1));
      } else if (!present.isEmpty()) {
        place = " BEFORE " + PrivilegeSql.literal(present.get(0));
      }
      statements.add("ALTER TYPE " + name + " ADD VALUE " + PrivilegeSql.literal(label) + place + ";");
      present.add(label);
    }
    return Fix.sql(String.join("\n", statements));
  }

  private static String createDomain(CatalogObject domain) {
    StringBuilder sql = new StringBuilder("CREATE DOMAIN ").append(domain.sqlName()).append(" AS ")
        .append(domain.attribute("base_type"));
    if (domain.attribute("collation") != null) {
      sql.append(" COLLATE ").append(domain.attribute("collation"));
    }
    if (domain.attribute("default") != null) {
      sql.append(" DEFAULT ").append(domain.attribute("default"));
    }
    if ("true".equals(domain.attribute("not_null"))) {
      sql.append(" NOT NULL");
    }
    constraints(domain).forEach((name, check) -> sql.append(" CONSTRAINT ").append(PrivilegeSql.identifier(name))
        .append(' ').append(check));
    return sql + ";";
  }

  private static Optional<Fix> domain(String name, CatalogObject expected, CatalogObject actual, Set<String> changed,
      FixContext context) {
    if (changed.contains("base_type") || changed.contains("collation")) {
      return Optional.empty();
    }
    String alter = "ALTER DOMAIN " + name;
    List<String> statements = new ArrayList<>();
    if (changed.contains("default")) {
      statements.add(expected.attribute("default") == null ? alter + " DROP DEFAULT;"
          : alter + " SET DEFAULT " + expected.attribute("default") + ";");
    }
    if (changed.contains("not_null")) {
      statements.add(alter + ("true".equals(expected.attribute("not_null")) ? " SET NOT NULL;" : " DROP NOT NULL;"));
    }
    Map<String, String> want = constraints(expected);
    Map<String, String> have = constraints(actual);
    have.forEach((constraint, check) -> {
      if (!check.equals(want.get(constraint))) {
        statements.add(alter + " DROP CONSTRAINT " + PrivilegeSql.identifier(constraint) + ";");
      }
    });
    want.forEach((constraint, check) -> {
      if (!check.equals(have.get(constraint))) {
        String quoted = PrivilegeSql.identifier(constraint);
        statements.add(alter + " ADD CONSTRAINT " + quoted + " " + check
            + (context.live() && !check.endsWith(" NOT VALID") ? " NOT VALID;\n" + alter + " VALIDATE CONSTRAINT "
                + quoted + ";" : ";"));
      }
    });
    return Fix.of(statements);
  }

  /** {@code name: CHECK (...); other: CHECK (...)} as name → definition. */
  private static Map<String, String> constraints(CatalogObject domain) {
    Map<String, String> constraints = new LinkedHashMap<>();
    String text = domain.attribute("constraints");
    if (text != null) {
      for (String entry : text.split("; (?=[^:;]+: )")) {
        int colon = entry.indexOf(": ");
        constraints.put(entry.substring(0, colon), entry.substring(colon + 2));
      }
    }
    return constraints;
  }
}
