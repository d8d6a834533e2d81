package io.pgvigil.checks.review;

import java.util.Objects;

/**
 * One thing a pending migration does that the review reports.
 *
 * @param file        the migration file as the user names it (relative to the working directory when below it)
 * @param statement   1-based number of the statement in the file; 0 for the file as a whole
 * @param line        1-based line the statement starts on; 0 when unknown
 * @param table       the pre-existing table concerned, schema-qualified as on the shadow (the live database has
 *                    the same names); null when none (the file as a whole, a failure)
 * @param object      the table, column or constraint concerned, schema-qualified; null for the file as a whole
 * @param lockMode    the lock held on {@code object} after the statement, e.g. {@code ACCESS EXCLUSIVE}; null if none
 * @param message     one line: what happens
 * @param level       how bad it is: the hazard's own level unless the live sizes or data decided otherwise
 * @param suppression the reason given in the file ({@code -- pgvigil:ignore <rule> <reason>}) when the finding
 *                    is accepted there; null when not suppressed. A suppressed finding is reported, never fails.
 */
public record Finding(Hazard hazard, String file, int statement, int line, String table, String object,
    String lockMode, String message, Level level, String suppression) {

  public Finding {
    Objects.requireNonNull(hazard, "hazard");
    Objects.requireNonNull(level, "level");
  }

  /** At the hazard's own level, not suppressed. */
  public Finding(Hazard hazard, String file, int statement, int line, String table, String object, String lockMode,
      String message) {
    this(hazard, file, statement, line, table, object, lockMode, message, hazard.level(), null);
  }

  public String fix() {
    return hazard.fix();
  }

  public boolean suppressed() {
    return suppression != null;
  }

  /** Graded again, e.g. by the live table's size; {@code message} replaces this one's. */
  public Finding graded(Level newLevel, String newMessage) {
    return new Finding(hazard, file, statement, line, table, object, lockMode, newMessage, newLevel, suppression);
  }

  /** Accepted in the file, with the reason given there. */
  public Finding suppressedBecause(String reason) {
    return new Finding(hazard, file, statement, line, table, object, lockMode, message, level,
        Objects.requireNonNull(reason, "reason"));
  }
}
