package io.pgvigil.checks.review;

import java.util.Locale;

/** How bad a finding is; {@code review --fail-on} picks the level that fails the run. */
public enum Level {
  /** Blocks reads or writes on a table that already has data, for as long as the table is big. */
  BLOCK,
  /** Worth a second look: safe only under conditions the review cannot see. */
  FLAG;

  /** The stable name in every output format and in {@code --fail-on}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
