package io.pgvigil.checks.review;

/**
 * One thing a pending migration does that the review reports.
 *
 * @param file      the migration file as the user names it (relative to the working directory when below it)
 * @param statement 1-based number of the statement in the file; 0 for the file as a whole
 * @param line      1-based line the statement starts on; 0 when unknown
 * @param object    the table, column or constraint concerned, schema-qualified; null for the file as a whole
 * @param lockMode  the lock held on {@code object} after the statement, e.g. {@code ACCESS EXCLUSIVE}; null if none
 * @param message   one line: what happens
 */
public record Finding(Hazard hazard, String file, int statement, int line, String object, String lockMode,
    String message) {

  public Level level() {
    return hazard.level();
  }

  public String fix() {
    return hazard.fix();
  }
}
