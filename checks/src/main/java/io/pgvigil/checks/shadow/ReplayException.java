package io.pgvigil.checks.shadow;

/**
 * The migration history could not be replayed into the shadow: the expected schema is unknown.
 * This is an error state of the drift check, never drift. The message names the file, the
 * failing statement (one line, about 200 characters) and the SQLSTATE, e.g.
 * {@code replaying V7__add_index.sql (line 3) failed at "CREATE INDEX ON orders (id)": relation "orders" does not exist (SQLSTATE 42P01)}.
 */
public class ReplayException extends Exception {

  private final String file;
  private final String statement;
  private final int line;
  private final String sqlState;

  ReplayException(String message, String file, String statement, int line, String sqlState, Throwable cause) {
    super(message, cause);
    this.file = file;
    this.statement = statement;
    this.line = line;
    this.sqlState = sqlState;
  }

  /** A failed statement of a known file; {@code statement} null and {@code line} 0 when unknown. */
  static ReplayException atStatement(String file, String statement, int line, String reason, String sqlState,
      Throwable cause) {
    StringBuilder message = new StringBuilder("replaying ").append(file);
    if (line > 0) {
      message.append(" (line ").append(line).append(')');
    }
    message.append(" failed");
    if (statement != null && !statement.isBlank()) {
      message.append(" at \"").append(Sqls.oneLine(statement)).append('"');
    }
    message.append(": ").append(reason);
    if (sqlState != null) {
      message.append(" (SQLSTATE ").append(sqlState).append(')');
    }
    return new ReplayException(message.toString(), file, statement, line, sqlState, cause);
  }

  /** A failure that is not one statement's (unreadable files, a refused connection). */
  static ReplayException general(String message, Throwable cause) {
    return new ReplayException(message, null, null, 0, null, cause);
  }

  /** The migration file's name, e.g. {@code V7__add_index.sql} or {@code 20240101_init/migration.sql}; may be null. */
  public String file() {
    return file;
  }

  /** The failing statement as written; null when the server did not say which. */
  public String statement() {
    return statement;
  }

  /** 1-based: where the server placed the error if it said, else the failing statement's first line; 0 when unknown. */
  public int line() {
    return line;
  }

  /** May be null (e.g. a file that could not be read). */
  public String sqlState() {
    return sqlState;
  }
}
