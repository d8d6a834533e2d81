package io.pgvigil.checks.schema;

import java.util.Optional;

/**
 * One object that differs between the expected schema (the history replayed into the shadow
 * database) and the live one.
 *
 * @param expected     the expected object's attributes, one {@code name: value} per line; null when
 *                     the object is {@link Change#UNEXPECTED}
 * @param actual       the live object's attributes; null when it is {@link Change#MISSING}
 * @param detail       for people: what differs, e.g. {@code not_null: true → false}
 * @param suggestedSql statements that bring the live object back to the expected one, one per line group; warnings
 *                     (a table rewrite, data lost) as {@code --} comment lines above the statement they are about;
 *                     review before running it
 * @param manualFix    when there is no safe automatic fix: why, and the steps (queries included) to do by hand;
 *                     empty when {@code suggestedSql} is there
 */
public record SchemaFinding(ObjectRef object, Change change, Severity severity, String expected, String actual,
    String detail, Optional<String> suggestedSql, Optional<String> manualFix) {

  public SchemaFinding(ObjectRef object, Change change, Severity severity, String expected, String actual,
      String detail, Optional<String> suggestedSql) {
    this(object, change, severity, expected, actual, detail, suggestedSql, Optional.empty());
  }

  @Override
  public String toString() {
    return severity + " " + change + " " + object + ": " + detail;
  }
}
