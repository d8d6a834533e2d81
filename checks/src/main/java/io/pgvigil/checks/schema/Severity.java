package io.pgvigil.checks.schema;

/**
 * How much a finding matters, most severe first (the order of the constants). The table of which change gets which
 * severity is on {@link FindingSeverity}.
 */
public enum Severity {
  /** Who may see or do what: row-level security, policies, SECURITY DEFINER, grants, owners, default privileges. */
  SECURITY,
  /** What data is accepted or produced: tables, columns, constraints, unique indexes (INVALID too), views, functions. */
  INTEGRITY,
  /**
   * How fast: indexes that are not unique missing, extra, changed or INVALID; storage parameters; statistics targets
   * and objects.
   */
  PERFORMANCE,
  /** Nothing a query sees: comments. */
  COSMETIC
}
