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
 * @param suggestedSql a statement that would bring the live object back to the expected one, where
 *                     that is straightforward and loses no data; review before running it
 */
public record SchemaFinding(ObjectRef object, Change change, Severity severity, String expected, String actual,
    String detail, Optional<String> suggestedSql) {

  @Override
  public String toString() {
    return severity + " " + change + " " + object + ": " + detail;
  }
}
