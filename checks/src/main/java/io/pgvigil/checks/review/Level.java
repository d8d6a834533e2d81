package io.pgvigil.checks.review;

/** How bad a finding is; {@code review --fail-on} picks the level that fails the run. */
public enum Level {
  /** Blocks reads or writes on a table that already has data, for as long as the table is big. */
  BLOCK("block"),
  /** Worth a second look: safe only under conditions the review cannot see. */
  FLAG("flag");

  private final String label;

  Level(String label) {
    this.label = label;
  }

  /** The stable name in every output format and in {@code --fail-on}. */
  public String label() {
    return label;
  }
}
