package io.pgvigil.checks.shadow;

/**
 * The history could not be replayed into the shadow: the expected schema is unknown, an error state
 * of the drift check, never drift. The message names the file, the failing statement (one line,
 * about 200 characters) and the SQLSTATE: {@code replaying V7__add_index.sql (line 3) failed at
 * "CREATE INDEX ON orders (id)": relation "orders" does not exist (SQLSTATE 42P01)}.
 */
public class ReplayException extends Exception {

  private ReplayException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failed statement of a known file; {@code statement} null and {@code line} 0 when unknown. */
  static ReplayException atStatement(String file, String statement, int line, String reason, String sqlState,
      Throwable cause) {
    String message = "replaying " + file + (line > 0 ? " (line " + line + ")" : "") + " failed"
        + (statement == null || statement.isBlank() ? "" : " at \"" + Sqls.oneLine(statement) + "\"")
        + ": " + reason + (sqlState == null ? "" : " (SQLSTATE " + sqlState + ")");
    return new ReplayException(message, cause);
  }

  /** A failure that is not one statement's (unreadable files, a refused connection). */
  static ReplayException general(String message, Throwable cause) {
    return new ReplayException(message, cause);
  }
}
