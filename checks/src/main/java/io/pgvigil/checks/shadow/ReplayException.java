package io.pgvigil.checks.shadow;

/**
 * The history could not be replayed into the shadow: the expected schema is unknown, an error state
 * of the drift check, never drift. The message names the file, the failing statement (one line,
 * about 200 characters) and the SQLSTATE: {@code replaying V7__add_index.sql (line 3) failed at
 * "CREATE INDEX ON orders (id)": relation "orders" does not exist (SQLSTATE 42P01)}.
 */
public class ReplayException extends Exception {

  private final String file;
  private final int line;
  private final String sqlState;

  private ReplayException(String message, String file, int line, String sqlState, Throwable cause) {
    super(message, cause);
    this.file = file;
    this.line = line;
    this.sqlState = sqlState;
  }

  /** A failed statement of a known file; {@code statement} null and {@code line} 0 when unknown. */
  static ReplayException atStatement(String file, String statement, int line, String reason, String sqlState,
      Throwable cause) {
    String message = "replaying " + file + (line > 0 ? " (line " + line + ")" : "") + " failed"
        + (statement == null || statement.isBlank() ? "" : " at \"" + Sqls.oneLine(statement) + "\"")
        + ": " + reason + (sqlState == null ? "" : " (SQLSTATE " + sqlState + ")");
    return new ReplayException(message, file, line, sqlState, cause);
  }

  /** A failure that is not one statement's (unreadable files, a refused connection). */
  static ReplayException general(String message, Throwable cause) {
    return new ReplayException(message, null, 0, null, cause);
  }

  /** E.g. {@code V7__add_index.sql} or {@code 20240101_init/migration.sql}; null when not one file's. */
  public String file() {
    return file;
  }

  /** 1-based: where the server placed the error if it said, else the failing statement's first line; 0 if unknown. */
  public int line() {
    return line;
  }

  /** Null when no statement failed (e.g. a file that could not be read). */
  public String sqlState() {
    return sqlState;
  }
}
