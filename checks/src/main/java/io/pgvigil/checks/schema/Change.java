package io.pgvigil.checks.schema;

/** How the live (actual) object differs from the expected one. */
public enum Change {
  /** Expected, not in the live database. */
  MISSING,
  /** In the live database, not expected: made by hand or by a migration outside the history. */
  UNEXPECTED,
  /** In both, with different attributes. */
  CHANGED
}
