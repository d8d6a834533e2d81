package io.pgvigil.checks.history;

/**
 * What can be wrong between the repository's migrations and the history the database keeps. Each
 * kind is reported on its own (and is a metric label), so a team can alert on "an applied file was
 * edited" without paging on "a migration is waiting to be deployed".
 */
public enum HistoryProblemKind {
  PENDING("pending"),
  /** Applied, but its file is no longer in the repository. */
  MISSING_FROM_REPOSITORY("missing"),
  /** Applied, then its file was edited (a CRLF-only or BOM-only edit is not one). */
  CHECKSUM_MISMATCH("checksum-mismatch"),
  FAILED("failed"),
  /** Lower than the latest applied version but never applied, or applied after a higher one. */
  OUT_OF_ORDER("out-of-order"),
  /** A repeatable migration whose file changed since it was last applied. */
  REPEATABLE_OUTDATED("repeatable-outdated");
  // Applied and newer than every file is not a problem: the files are behind the database
  // (HistoryReport.filesBehind), as for a few minutes after every deploy.

  private final String label;

  HistoryProblemKind(String label) {
    this.label = label;
  }

  /** The stable name in JSON, text output and the {@code problem} metric label. */
  public String label() {
    return label;
  }
}
