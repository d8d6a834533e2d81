package io.pgvigil.checks.review;

/**
 * A question about the rows of a live table that decides whether a statement succeeds at deploy, which the empty
 * shadow cannot answer: the statement fails if {@link #sql()} returns a row on the live database.
 *
 * @param file      the migration, as in {@link Finding#file()}
 * @param table     the table, schema-qualified and quoted, as on live (the shadow holds the same history)
 * @param object    the column, index or constraint concerned, schema-qualified
 * @param question  for people: {@code any duplicate of (email) in public.users?}
 * @param sql       a read-only query that returns a row when the statement would fail, bounded by {@code LIMIT 1};
 *                  selects only {@code 1}, never a row's contents; null when the question cannot be asked
 * @param failure   what happens at deploy when it returns a row, one line
 * @param notAsked  why the question cannot be asked of live (an earlier statement changes the rows first, the
 *                  expression is not immutable); null when it can
 */
public record DataQuestion(Kind kind, String file, int statement, int line, String table, String object,
    String question, String sql, String failure, String notAsked) {

  /** What is asked; the failing answer is "yes". */
  public enum Kind {
    ANY_ROW, ANY_NULL, ANY_DUPLICATE, ANY_VIOLATION, ANY_ORPHAN;

    /** Stable, for JSON: {@code any-row}, {@code any-null}, {@code any-duplicate}, {@code any-violation}, … */
    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
  }

  public boolean asked() {
    return sql != null;
  }

  DataQuestion notAskedBecause(String why) {
    return new DataQuestion(kind, file, statement, line, table, object, question, null, failure, why);
  }
}
