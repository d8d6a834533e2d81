package io.pgvigil.checks.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Suggested statements for what names roles: grants, owners, default privileges, and comments beside them. Each brings
 * live back to the history: privileges live lacks are granted, those it has beyond the history revoked, one privilege
 * at a time, so nothing expected is taken away even for a moment.
 */
final class PrivilegeSql {

  /**
   * PostgreSQL's reserved key words, the only ones a role name must be quoted for (a role specification is a {@code
   * NonReservedWord}, https://www.postgresql.org/docs/current/sql-keywords-appendix.html).
   */
  private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
      "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
      "current_date", "current_role", "current_time", "current_timestamp", "current_user", "default", "deferrable",
      "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group",
      "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp",
      "not", "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
      "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union", "unique",
      "user", "using", "variadic", "when", "where", "window", "with");

  /**
   * The key words quote_ident quotes besides the reserved ones: those that cannot be a function or type name, or a
   * column name (https://www.postgresql.org/docs/current/sql-keywords-appendix.html, "non-reserved (cannot be function
   * or type)" and "reserved (can be function or type)").
   */
  private static final Set<String> NAMES_AND_TYPES = Set.of("between", "bigint", "bit", "boolean", "char",
      "character", "coalesce", "dec", "decimal", "exists", "extract", "float", "greatest", "grouping", "inout", "int",
      "integer", "interval", "json", "json_array", "json_arrayagg", "json_exists", "json_object", "json_objectagg",
      "json_query", "json_scalar", "json_serialize", "json_table", "json_value", "least", "merge_action", "national",
      "nchar", "none", "normalize", "nullif", "numeric", "out", "overlay", "position", "precision", "real", "row",
      "setof", "smallint", "substring", "time", "timestamp", "treat", "trim", "values", "varchar", "xmlattributes",
      "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
      "xmlserialize", "xmltable", "authorization", "binary", "collation", "concurrently", "cross", "current_schema",
      "freeze", "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer",
      "overlaps", "right", "similar", "tablesample", "verbose");

  private PrivilegeSql() {}

  /** A role as GRANT, REVOKE and OWNER TO take it: {@code public} is PUBLIC, else quoted where needed. */
  static String role(String name) {
    if (name.equals("public")) {
      return "PUBLIC";
    }
    if (name.matches("[a-z_][a-z0-9_]*") && !RESERVED.contains(name) && !NAMES_AND_TYPES.contains(name)) {
      return name;
    }
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** An identifier as {@code quote_ident} writes it: as it is where SQL allows, else double-quoted. */
  static String identifier(String name) {
    if (name.matches("[a-z_][a-z0-9_]*") && !RESERVED.contains(name) && !NAMES_AND_TYPES.contains(name)) {
      return name;
    }
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** The grantee of a grant or default privileges entry: its name after its owner's and " to ", or the last " to ". */
  private static String grantee(ObjectRef ref, CatalogObject present) {
    String name = ref.qualifiedName();
    if (ref.kind() == ObjectKind.GRANT && !present.owners().isEmpty()) {
      String target = present.owners().get(0).toString() + " to ";
      if (name.startsWith(target)) {
        return name.substring(target.length());
      }
    }
    return name.substring(name.lastIndexOf(" to ") + " to ".length());
  }

  static Optional<String> grant(ObjectRef ref, CatalogObject expected, CatalogObject actual) {
    CatalogObject present = expected != null ? expected : actual;
    if (present.sqlName() == null) {
      return Optional.empty();
    }
    String on = " ON " + present.sqlName();
    String grantee = role(grantee(ref, present));
    return joined(privileges(expected, actual, on, " TO " + grantee, " FROM " + grantee, "GRANT ", "REVOKE "));
  }

  static Optional<String> defaultPrivileges(ObjectRef ref, CatalogObject expected, CatalogObject actual) {
    CatalogObject present = expected != null ? expected : actual;
    String objects = ref.qualifiedName().substring(0, ref.qualifiedName().indexOf(' ')).toUpperCase(Locale.ROOT);
    String grantee = role(grantee(ref, present));
    String alter = "ALTER DEFAULT PRIVILEGES " + present.sqlName() + " ";
    return joined(privileges(expected, actual, " ON " + objects, " TO " + grantee, " FROM " + grantee,
        alter + "GRANT ", alter + "REVOKE "));
  }

  static Optional<String> owner(Change change, CatalogObject expected) {
    if (change == Change.UNEXPECTED || expected.sqlName() == null) {
      return Optional.empty();
    }
    return Optional.of("ALTER " + expected.sqlName() + " OWNER TO " + role(expected.attribute("role")) + ";");
  }

  static Optional<String> comment(Change change, CatalogObject expected, CatalogObject actual) {
    CatalogObject present = expected != null ? expected : actual;
    if (present.sqlName() == null) {
      return Optional.empty();
    }
    String text = change == Change.UNEXPECTED ? "NULL" : literal(expected.attribute("text"));
    return Optional.of("COMMENT ON " + present.sqlName() + " IS " + text + ";");
  }

  /**
   * Statements that turn the actual privileges into the expected ones: each privilege missing is granted (with its
   * grant option where expected), each extra one revoked, a grant option alone revoked with GRANT OPTION FOR.
   */
  private static List<String> privileges(CatalogObject expected, CatalogObject actual, String on, String to,
      String from, String grant, String revoke) {
    Map<String, Boolean> want = parse(expected);
    Map<String, Boolean> have = parse(actual);
    List<String> plain = new ArrayList<>();
    List<String> grantable = new ArrayList<>();
    List<String> revoked = new ArrayList<>();
    List<String> optionRevoked = new ArrayList<>();
    want.forEach((privilege, withOption) -> {
      Boolean had = have.get(privilege);
      if (withOption && !Boolean.TRUE.equals(had)) {
        grantable.add(privilege);
      } else if (!withOption && had == null) {
        plain.add(privilege);
      }
    });
    have.forEach((privilege, withOption) -> {
      Boolean wanted = want.get(privilege);
      if (wanted == null) {
        revoked.add(privilege);
      } else if (withOption && !wanted) {
        optionRevoked.add(privilege);
      }
    });
    List<String> statements = new ArrayList<>();
    if (!plain.isEmpty()) {
      statements.add(grant + String.join(", ", plain) + on + to + ";");
    }
    if (!grantable.isEmpty()) {
      statements.add(grant + String.join(", ", grantable) + on + to + " WITH GRANT OPTION;");
    }
    if (!optionRevoked.isEmpty()) {
      statements.add(revoke + "GRANT OPTION FOR " + String.join(", ", optionRevoked) + on + from + ";");
    }
    if (!revoked.isEmpty()) {
      statements.add(revoke + String.join(", ", revoked) + on + from + ";");
    }
    return statements;
  }

  /** {@code SELECT, UPDATE WITH GRANT OPTION} as privilege → with grant option, in order. */
  private static Map<String, Boolean> parse(CatalogObject object) {
    Map<String, Boolean> privileges = new LinkedHashMap<>();
    if (object == null || object.attribute("privileges") == null) {
      return privileges;
    }
    for (String entry : object.attribute("privileges").split(", ")) {
      boolean withOption = entry.endsWith(" WITH GRANT OPTION");
      privileges.put(withOption ? entry.substring(0, entry.length() - " WITH GRANT OPTION".length()) : entry,
          withOption);
    }
    return privileges;
  }

  private static Optional<String> joined(List<String> statements) {
    return statements.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", statements));
  }

  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
