package io.pgvigil.checks.history;

/**
 * The history could not be read or compared (a broken file, a duplicate version, a missing table,
 * a refusing database). The message names what and says what to do; an error, never "no drift".
 */
public class HistoryException extends Exception {

  public HistoryException(String message) {
    super(message);
  }

  public HistoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
