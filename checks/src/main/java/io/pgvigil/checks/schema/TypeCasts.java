package io.pgvigil.checks.schema;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whether PostgreSQL converts one column type into another without USING: the assignment or implicit casts of
 * pg_cast between built-in types, from the type names format_type gives. Conservative: a pair not known here is
 * treated as having only an explicit cast.
 */
final class TypeCasts {

  /** A type modifier: varchar(40), numeric(12,2), timestamp(3) with time zone, bit(8)[]. */
  private static final Pattern MODIFIER = Pattern.compile("\\(\\d+(,\\d+)?\\)");
  /** Every pair of these has an implicit or assignment cast (pg_cast castcontext 'i' or 'a'). */
  private static final Set<String> NUMBERS = Set.of("smallint", "integer", "bigint", "numeric", "real",
      "double precision");
  private static final Set<String> DATES = Set.of("date", "timestamp without time zone",
      "timestamp with time zone");
  /**
   * I/O conversion casts to string types are assignment casts
   * (https://www.postgresql.org/docs/current/sql-createcast.html, Notes).
   */
  private static final Set<String> STRINGS = Set.of("text", "character varying", "character", "name");

  private TypeCasts() {}

  static boolean assignable(String from, String to) {
    if (from == null || to == null) {
      return false;
    }
    String source = MODIFIER.matcher(from).replaceAll("").strip();
    String target = MODIFIER.matcher(to).replaceAll("").strip();
    return source.equals(target) || STRINGS.contains(target)
        || NUMBERS.contains(source) && NUMBERS.contains(target)
        || DATES.contains(source) && DATES.contains(target);
  }
}
