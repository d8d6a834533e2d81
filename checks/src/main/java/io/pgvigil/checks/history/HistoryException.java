package io.pgvigil.checks.history;

/**
 * The history could not be read or compared: a broken migration file, two
 * files with one version, a missing directory or history table, a database
 * that refused. The message names the file, version or table and says what to
 * do. This is an error state, never "no drift".
 */
public class HistoryException extends Exception {

  public HistoryException(String message) {
    super(message);
  }

  public HistoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
