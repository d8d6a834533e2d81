package io.pgvigil.checks.schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Fixes for indexes. Live, each is built and dropped CONCURRENTLY (partitioned indexes cannot be: they lock), and a
 * changed index is built beside the old one under a new name, then swapped, so queries never run without it.
 *
 * <p>An INVALID unique index is the exception. It is what a failed {@code CREATE UNIQUE INDEX CONCURRENTLY} leaves,
 * most often because the table has duplicate keys; {@code REINDEX INDEX CONCURRENTLY} then fails on the same
 * duplicates and leaves a second invalid index ({@code <name>_ccnew}) behind
 * (https://www.postgresql.org/docs/current/sql-reindex.html#SQL-REINDEX-CONCURRENTLY). So there is no safe automatic
 * fix: the finding gives the query that finds the duplicates (on the index's keys and predicate) and the rebuild to
 * run once they are cleaned up.
 */
final class IndexSql {

  /** A partitioned index cannot be built CONCURRENTLY: the plain build blocks writes. */
  private static final String PARTITIONED_BUILD = "-- blocks writes to the table and every partition for the whole "
      + "build (no CONCURRENTLY on a partitioned table): plan a window, or build each partition's index CONCURRENTLY, "
      + "make this one ON ONLY the table and ATTACH PARTITION each\n";
  private static final Pattern COLLATE = Pattern.compile("^\\s+COLLATE\\s+(\"(?:[^\"]|\"\")*\"|[\\w$]+)"
      + "(\\.(\"(?:[^\"]|\"\")*\"|[\\w$]+))?");
  /** pg_get_indexdef writes storage parameters after the keys and INCLUDE: {@code WITH (fillfactor='70')}. */
  private static final Pattern STORAGE = Pattern.compile(" WITH \\(([^()]*)\\)");

  private IndexSql() {}

  static Fix of(Change change, CatalogObject expected, CatalogObject actual, Set<String> changed,
      FixContext context) {
    if (change == Change.UNEXPECTED) {
      return Fix.sql(drop(actual, context));
    }
    if (change == Change.MISSING) {
      // Expected INVALID: a migration made from live (the expected side) would build it valid, or fail.
      return "false".equals(expected.attribute("valid"))
          ? Fix.manual("the index is INVALID where it exists (a failed CREATE INDEX CONCURRENTLY): rebuild or drop it "
              + "there first")
          : Fix.sql((partitioned(expected) && context.live() ? PARTITIONED_BUILD : "") + create(expected, context)
              + context.parts(expected.ref(), ObjectKind.COMMENT).stream()
                  .map(comment -> "\n" + PrivilegeSql.comment(Change.MISSING, comment, null).orElse(""))
                  .collect(Collectors.joining()));
    }
    if (!context.live() && "false".equals(expected.attribute("valid"))) {
      // Live's index is INVALID: a migration would build it valid (or fail on its duplicates), not adopt live.
      return Fix.manual("the index is INVALID where it exists (a failed CREATE INDEX CONCURRENTLY): rebuild or drop "
          + "it there first");
    }
    Fix inPlace = inPlace(expected, actual, changed, context);
    if (inPlace != null) {
      return inPlace;
    }
    if (changed.equals(Set.of("valid")) && "false".equals(actual.attribute("valid"))) {
      if (unique(actual)) {
        return invalidUnique(actual);
      }
      if (!partitioned(actual)) {
        return Fix.sql("REINDEX INDEX CONCURRENTLY " + actual.sqlName() + ";");
      }
    }
    if (partitioned(expected) || !context.live()) {
      return Fix.sql(drop(actual, context) + "\n" + create(expected, context));
    }
    // Built beside the old one, then swapped: the table is never without the index, nor a unique key unguarded.
    String local = localName(expected.sqlName());
    String temporary = PrivilegeSql.identifier(temporaryName(unquoted(local)));
    String schema = expected.sqlName().substring(0, expected.sqlName().length() - local.length());
    return Fix.sql(create(expected, context).replaceFirst(" INDEX CONCURRENTLY " + Pattern.quote(local) + " ON ",
        Matcher.quoteReplacement(" INDEX CONCURRENTLY " + temporary + " ON "))
        + "\n" + drop(actual, context) + "\nALTER INDEX " + schema + temporary + " RENAME TO " + local + ";"
        // Dropping the identity index leaves the table without one (as NOTHING): the new one takes its place.
        + ("true".equals(expected.attribute("replica_identity")) && "true".equals(actual.attribute("replica_identity"))
            && table(expected) != null
                ? "\nALTER TABLE " + table(expected) + " REPLICA IDENTITY USING INDEX " + local
                    + ";"
                : ""));
  }

  /** The table an index is on, from its definition; null when it cannot be read. */
  private static String table(CatalogObject index) {
    String table = between(index.attribute("definition"), " ON ", " USING ");
    return table != null && table.startsWith("ONLY ") ? table.substring("ONLY ".length()) : table;
  }

  /**
   * What changes without making the index again: its storage parameters ({@code ALTER INDEX ... SET/RESET}) and
   * whether it is the table's replica identity. An index that backs a PRIMARY KEY, UNIQUE or EXCLUDE constraint
   * cannot be dropped on its own ("cannot drop index ... because constraint ... requires it"): anything else about it
   * is a manual fix. Null when the index may be made again.
   */
  private static Fix inPlace(CatalogObject expected, CatalogObject actual, Set<String> changed, FixContext context) {
    String table = table(expected);
    String expectedWith = storage(expected.attribute("definition"));
    String actualWith = storage(actual.attribute("definition"));
    boolean onlyStorage = !changed.contains("definition") || withoutStorage(expected.attribute("definition"))
        .equals(withoutStorage(actual.attribute("definition")));
    Set<String> rest = new TreeSet<>(changed);
    rest.removeAll(Set.of("definition", "replica_identity"));
    if (onlyStorage && rest.isEmpty() && table != null) {
      List<String> statements = new ArrayList<>();
      if (changed.contains("definition")) {
        statements.addAll(CreateSql.options("ALTER INDEX " + expected.sqlName(), expectedWith, actualWith));
      }
      // The index that becomes the identity says so; the one that stops being it says nothing: the table's finding
      // (DEFAULT, FULL, NOTHING) or the index that takes its place sets what comes instead.
      if (changed.contains("replica_identity") && "true".equals(expected.attribute("replica_identity"))) {
        statements.add("ALTER TABLE " + table + " REPLICA IDENTITY USING INDEX " + localName(expected.sqlName())
            + ";");
      } else if (changed.contains("replica_identity") && statements.isEmpty()) {
        statements.add("-- no longer the replica identity: set by the table's finding or the index that becomes it");
      }
      return statements.isEmpty() ? null : Fix.sql(String.join("\n", statements));
    }
    boolean backsConstraint = expected.owners().stream().anyMatch(o -> o.kind() == ObjectKind.CONSTRAINT);
    return backsConstraint ? Fix.manual("the index backs a constraint (" + expected.owners().stream()
        .filter(o -> o.kind() == ObjectKind.CONSTRAINT).map(ObjectRef::toString).findFirst().orElse("")
        + ") and cannot be dropped on its own: drop the constraint and add it again (ADD CONSTRAINT ... USING INDEX "
        + "an index built CONCURRENTLY beforehand) in a window") : null;
  }

  /** The storage parameters of an index definition, as ALTER INDEX ... SET takes them; null for none. */
  private static String storage(String definition) {
    Matcher with = STORAGE.matcher(definition);
    return with.find() ? with.group(1) : null;
  }

  private static String withoutStorage(String definition) {
    return STORAGE.matcher(definition).replaceFirst("");
  }

  static String drop(CatalogObject index, FixContext context) {
    return (partitioned(index) || !context.live() ? "DROP INDEX " : "DROP INDEX CONCURRENTLY ") + index.sqlName()
        + ";";
  }

  static String create(CatalogObject index, FixContext context) {
    // pg_get_indexdef writes a partitioned index ON ONLY the parent, which makes it without the partitions' indexes:
    // INVALID until each is attached. Made on the table, it builds them.
    String definition = index.attribute("definition").replaceFirst(" ON ONLY ", " ON ");
    if (!partitioned(index) && context.live()) {
      definition = definition.replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX CONCURRENTLY ");
    }
    return definition + ";";
  }

  private static Fix invalidUnique(CatalogObject index) {
    String definition = index.attribute("definition");
    String table = between(definition, " ON ", " USING ");
    // ON ONLY: a partitioned index; its duplicates are in the partitions, which ONLY would leave out.
    if (table != null && table.startsWith("ONLY ")) {
      table = table.substring("ONLY ".length());
    }
    String keys = keyList(definition);
    List<String> columns = keys == null ? List.of() : keyExpressions(keys);
    String predicate = predicate(definition);
    String find;
    if (table == null || columns.isEmpty()) {
      find = "(the index's key columns could not be read from its definition: " + definition + ")";
    } else {
      List<String> where = new ArrayList<>();
      if (predicate != null) {
        where.add(predicate);
      }
      if (!definition.contains(" NULLS NOT DISTINCT")) {
        // Rows with a NULL key never conflict in a unique index (unless NULLS NOT DISTINCT).
        columns.forEach(column -> where.add(column + " IS NOT NULL"));
      }
      String keyed = String.join(", ", columns);
      find = "SELECT " + keyed + ", count(*) AS copies FROM " + table
          + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
          + " GROUP BY " + keyed + " HAVING count(*) > 1;";
    }
    if (partitioned(index)) {
      // CONCURRENTLY is refused on a partitioned table: each partition's index is built on its own, then attached
      // (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-NOTES).
      return Fix.manual("the partitioned unique index is INVALID: a partition has no valid index attached to it (one "
          + "failed on duplicate keys, or was never attached). Until each is, nothing stops duplicates there.\n"
          + "1. Find the duplicates:\n   " + find + "\n"
          + "2. Remove or merge them, then for each partition without a valid attached index, build one and attach "
          + "it; the index turns valid when every partition's is attached:\n"
          + "   CREATE UNIQUE INDEX CONCURRENTLY <partition index> ON <partition> USING " + between(definition
              + "\u0000", " USING ", "\u0000")
          + ";\n"
          + "   ALTER INDEX " + index.sqlName() + " ATTACH PARTITION <schema>.<partition index>;");
    }
    return Fix.manual("the unique index is INVALID, most likely because CREATE UNIQUE INDEX CONCURRENTLY failed on "
        + "duplicate keys; REINDEX would fail on them again and leave a second invalid index (" + unquoted(localName(
            index.sqlName()))
        + "_ccnew). Until it is rebuilt nothing stops more duplicates.\n"
        + "1. Find the duplicates:\n   " + find + "\n"
        + "2. Remove or merge them (which row to keep is the application's call), then rebuild:\n"
        + "   DROP INDEX CONCURRENTLY " + index.sqlName() + ";\n"
        + "   " + definition.replaceFirst("^CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX CONCURRENTLY ") + ";");
  }

  static boolean unique(CatalogObject index) {
    return index.attribute("definition").startsWith("CREATE UNIQUE INDEX");
  }

  private static boolean partitioned(CatalogObject index) {
    return "true".equals(index.attribute("partitioned"));
  }

  /** The text inside the parentheses after {@code USING method}: the keys, with opclasses and orderings. */
  private static String keyList(String definition) {
    int using = definition.indexOf(" USING ");
    int open = using < 0 ? -1 : definition.indexOf('(', using);
    int close = open < 0 ? -1 : closing(definition, open);
    return close < 0 ? null : definition.substring(open + 1, close);
  }

  /** The partial index's predicate, as pg_get_indexdef writes it at the end: {@code WHERE (...)}. */
  private static String predicate(String definition) {
    int using = definition.indexOf(" USING ");
    int open = definition.indexOf('(', using);
    int close = closing(definition, open);
    int where = definition.indexOf(" WHERE ", close);
    return where < 0 ? null : definition.substring(where + " WHERE ".length());
  }

  /**
   * Each key as an expression a query can group by: a column name, or a parenthesised expression or function call
   * whole, without the opclass, COLLATE and ordering pg_get_indexdef may write after it.
   */
  static List<String> keyExpressions(String keys) {
    List<String> expressions = new ArrayList<>();
    for (String key : topLevel(keys)) {
      String k = key.strip();
      int end;
      if (k.startsWith("(")) {
        end = closing(k, 0) + 1;
      } else if (k.startsWith("\"")) {
        end = k.indexOf('"', 1) + 1;
        while (end < k.length() && k.charAt(end) == '"') {
          end = k.indexOf('"', end + 1) + 1;
        }
      } else {
        end = 0;
        while (end < k.length() && (Character.isLetterOrDigit(k.charAt(end)) || "_$.".indexOf(k.charAt(end)) >= 0)) {
          end++;
        }
        if (end < k.length() && k.charAt(end) == '(') {
          end = closing(k, end) + 1;
        }
      }
      // A COLLATE decides which keys are equal (a nondeterministic collation): kept; opclass and ordering are not.
      Matcher collate = COLLATE.matcher(k.substring(end));
      if (collate.find()) {
        end += collate.end();
      }
      expressions.add(k.substring(0, end));
    }
    return expressions;
  }

  private static List<String> topLevel(String text) {
    List<String> parts = new ArrayList<>();
    int[] start = {0};
    scanUnquoted(text, 0, (i, c, depth) -> {
      if (depth == 0 && c == ',') {
        parts.add(text.substring(start[0], i));
        start[0] = i + 1;
      }
      return false;
    });
    parts.add(text.substring(start[0]));
    return parts;
  }

  /** The index of the parenthesis that closes the one at {@code open}, skipping quoted text; -1 if none. */
  private static int closing(String text, int open) {
    return scanUnquoted(text, open, (i, c, depth) -> c == ')' && depth == 0);
  }

  /** A character outside quotes, with the parenthesis depth after it; true stops the scan there. */
  private interface Unquoted {
    boolean at(int index, char c, int depth);
  }

  /**
   * Visits the characters of {@code text} from {@code from} that are outside '…' and "…" (each kind
   * closed only by itself), tracking parentheses; returns where the visitor stopped, or -1.
   */
  private static int scanUnquoted(String text, int from, Unquoted visitor) {
    int depth = 0;
    char quote = 0;
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        continue;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      }
      if (visitor.at(i, c, depth)) {
        return i;
      }
    }
    return -1;
  }

  private static String between(String text, String from, String to) {
    int start = text.indexOf(from);
    int end = start < 0 ? -1 : text.indexOf(to, start + from.length());
    return end < 0 ? null : text.substring(start + from.length(), end);
  }

  /** The index's own name in a {@code schema.name} SQL name, quoted as it is there. */
  static String localName(String sqlName) {
    int i = 0;
    if (sqlName.startsWith("\"")) {
      i = 1;
      while (i < sqlName.length() && !(sqlName.charAt(i) == '"' && (i + 1 >= sqlName.length()
          || sqlName.charAt(i + 1) != '"'))) {
        i += sqlName.charAt(i) == '"' ? 2 : 1;
      }
      i++;
    } else {
      i = sqlName.indexOf('.');
    }
    return sqlName.substring(i + 1);
  }

  /**
   * The name the new index is built under. PostgreSQL cuts identifiers to 63 bytes (NAMEDATALEN - 1): a long name
   * with the suffix would be cut back to the old name and clash, so the name is shortened first.
   */
  static String temporaryName(String name) {
    String suffix = "_pgvigil_new";
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    int room = 63 - suffix.length();
    if (bytes.length <= room) {
      return name + suffix;
    }
    String cut = name;
    while (cut.getBytes(StandardCharsets.UTF_8).length > room) {
      cut = cut.substring(0, cut.offsetByCodePoints(cut.length(), -1));
    }
    return cut + suffix;
  }

  private static String unquoted(String name) {
    return name.startsWith("\"") ? name.substring(1, name.length() - 1).replace("\"\"", "\"") : name;
  }
}
