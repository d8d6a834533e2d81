package io.pgvigil.checks.schema;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What ALTER COLUMN ... TYPE does to the values already stored, from the type names format_type gives. A whitelist:
 * only pairs known to keep every value ({@link Kind#WIDENS}) or to fail the statement on a value that does not fit
 * ({@link Kind#FAILS_IF_NOT_FITTING}) are safe; every other pair, including a lower scale or precision of the same type,
 * may change values silently ({@link Kind#MAY_CHANGE_VALUES}).
 */
final class TypeCasts {

  /** How a conversion treats the stored values. */
  enum Kind {
    /** Every value converts to an equal value. */
    WIDENS,
    /** A value that does not fit fails the statement ("value too long", "out of range", "numeric field overflow"). */
    FAILS_IF_NOT_FITTING,
    /** Values may be rounded, cut, padded or shifted without an error. */
    MAY_CHANGE_VALUES
  }

  /** The kind of a conversion and, when it is not a widening, why. */
  record Conversion(Kind kind, String reason) {}

  /** A type name: bare name (with any "with time zone" or interval fields), its modifiers (-1 when absent). */
  private record Type(String base, int precision, int scale) {}

  /** A type modifier, as format_type writes it: varchar(40), numeric(12,2), timestamp(3) with time zone. */
  private static final Pattern TYPE_MODIFIER = Pattern.compile("\\((\\d+)(?:,(-?\\d+))?\\)");
  private static final Pattern MODIFIER = Pattern.compile("\\(\\d+(,-?\\d+)?\\)");
  /** Integer types and the decimal digits their largest value has. */
  private static final Map<String, Integer> INTEGERS = Map.of("smallint", 5, "integer", 10, "bigint", 19);
  private static final Set<String> FLOATS = Set.of("real", "double precision");
  /** Types whose modifier is a fractional-second precision; no modifier means 6. */
  private static final Set<String> TIMES = Set.of("timestamp without time zone", "timestamp with time zone",
      "time without time zone", "time with time zone", "interval");
  private static final Set<String> UNBOUNDED_STRINGS = Set.of("text", "character varying", "name");
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

  /**
   * Whether PostgreSQL converts without USING: the assignment or implicit casts of pg_cast between built-in types.
   * Conservative: a pair not known here is treated as having only an explicit cast.
   */
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

  static Conversion classify(String from, String to) {
    if (from == null || to == null) {
      return changes("the live type is not known");
    }
    boolean fromArray = from.endsWith("[]");
    boolean toArray = to.endsWith("[]");
    if (fromArray != toArray) {
      return changes("no lossless conversion between an array and a scalar");
    }
    if (fromArray) {
      return classify(from.substring(0, from.length() - 2), to.substring(0, to.length() - 2));
    }
    return classify(parse(from), parse(to));
  }

  private static Conversion classify(Type from, Type to) {
    String a = from.base();
    String b = to.base();
    if (from.equals(to)) {
      return widens();
    }
    if (INTEGERS.containsKey(a) && INTEGERS.containsKey(b)) {
      return INTEGERS.get(b) >= INTEGERS.get(a) ? widens() : fails("a value out of range for " + b);
    }
    if (INTEGERS.containsKey(a) && b.equals("numeric")) {
      if (to.precision() >= 0 && to.scale() < 0) {
        return changes("rounds values to the negative scale of " + show(to));
      }
      return to.precision() < 0 || to.precision() - to.scale() >= INTEGERS.get(a) ? widens()
          : fails("a value with more integer digits than " + show(to) + " allows (numeric field overflow)");
    }
    if (a.equals("numeric") && INTEGERS.containsKey(b)) {
      return from.precision() >= 0 && from.scale() <= 0 ? fails("a value out of range for " + b)
          : changes("rounds the fractional part of " + show(from) + " values to " + b);
    }
    if (a.equals("numeric") && b.equals("numeric")) {
      if (to.precision() < 0) {
        return widens();
      }
      if (from.precision() < 0 || to.scale() < from.scale()) {
        return changes("rounds values to the " + to.scale() + " decimal places of " + show(to));
      }
      return to.precision() - to.scale() >= from.precision() - from.scale() ? widens()
          : fails("a value with more integer digits than " + show(to) + " allows (numeric field overflow)");
    }
    if (a.equals("real") && b.equals("double precision")
        || a.equals("smallint") && FLOATS.contains(b) || a.equals("integer") && b.equals("double precision")) {
      return widens();
    }
    if (FLOATS.contains(a) || FLOATS.contains(b)) {
      return changes("rounds " + show(from) + " values to the precision of " + show(to));
    }
    if (TIMES.contains(a) && a.equals(b)) {
      return precision(to) >= precision(from) ? widens()
          : changes("rounds fractional seconds to " + precision(to) + " digits");
    }
    if (a.startsWith("timestamp") && b.startsWith("timestamp")) {
      return changes("converts between timestamp with and without time zone in the session's TimeZone, which shifts "
          + "the values when it is not the zone they were written in");
    }
    if (a.equals("date") && b.equals("timestamp without time zone")) {
      return widens();
    }
    if (b.equals("date")) {
      return changes("drops the time of day from " + show(from) + " values");
    }
    if (b.equals("name")) {
      return changes("cuts strings longer than 63 bytes");
    }
    if (a.equals("character")) {
      return b.equals("character") && to.precision() >= 0 && to.precision() < precision(from)
          ? fails("a value whose non-blank characters do not fit " + show(to))
          : changes("trailing spaces of " + show(from) + " values are removed or padded");
    }
    if (b.equals("character")) {
      return changes("pads values with spaces to " + show(to));
    }
    if (UNBOUNDED_STRINGS.contains(a) && (b.equals("text") || b.equals("character varying"))) {
      return to.precision() < 0 || a.equals("character varying") && from.precision() >= 0
          && to.precision() >= from.precision() ? widens() : fails("a value too long for " + show(to));
    }
    if (a.equals("bit varying") && b.equals("bit varying") || a.equals("bit") && b.equals("bit varying")) {
      return to.precision() < 0 || from.precision() >= 0 && to.precision() >= from.precision() ? widens()
          : fails("a value too long for " + show(to));
    }
    if (a.startsWith("bit") && b.equals("bit")) {
      return fails("a bit string whose length is not " + precision(to));
    }
    return changes("no known lossless conversion from " + show(from) + " to " + show(to));
  }

  private static Type parse(String name) {
    Matcher m = TYPE_MODIFIER.matcher(name.strip());
    if (!m.find()) {
      return new Type(name.strip(), -1, -1);
    }
    int precision = Integer.parseInt(m.group(1));
    int scale = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    return new Type((name.strip().substring(0, m.start()) + name.strip().substring(m.end())).strip(), precision, scale);
  }

  /** The fractional-second precision (6 without a modifier), or a character type's length (1 without one). */
  private static int precision(Type type) {
    if (type.precision() >= 0) {
      return type.precision();
    }
    return type.base().equals("character") ? 1 : 6;
  }

  private static String show(Type type) {
    return type.precision() < 0 ? type.base() : type.base() + "(" + type.precision()
        + (type.base().equals("numeric") ? "," + type.scale() : "") + ")";
  }

  private static Conversion widens() {
    return new Conversion(Kind.WIDENS, "");
  }

  private static Conversion fails(String what) {
    return new Conversion(Kind.FAILS_IF_NOT_FITTING, what + " fails the statement instead of being changed");
  }

  private static Conversion changes(String why) {
    return new Conversion(Kind.MAY_CHANGE_VALUES, why);
  }
}
