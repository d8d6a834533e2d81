package io.pgvigil.checks.shadow;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** JDBC chores of the shadow: connections with a timeout, and server errors as pgvigil's messages show them. */
final class Sqls {

  private static final int STATEMENT_CHARS = 200;

  private static final String SET_TIMEOUT = "SELECT pg_catalog.set_config('statement_timeout', ?, false)";

  private Sqls() {}

  /**
   * A connection with a statement_timeout, so that nothing pgvigil runs on a shadow can hang.
   * {@code simpleQueries} sends each {@code execute(String)} as one simple-protocol Query message:
   * a multi-statement script then runs as one implicit transaction, as {@code psql -c} and Prisma
   * run it (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT);
   * pgjdbc's extended protocol would pipeline the statements instead.
   */
  static Connection connect(String url, String user, String password, Duration statementTimeout,
      boolean simpleQueries) throws SQLException {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "pgvigil shadow");
    if (simpleQueries) {
      properties.setProperty("preferQueryMode", "simple");
    }
    Connection connection = DriverManager.getConnection(url, properties);
    try (PreparedStatement timeout = connection.prepareStatement(SET_TIMEOUT)) {
      timeout.setString(1, Long.toString(statementTimeout.toMillis()));
      timeout.execute();
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /** E.g. {@code relation "orders" does not exist (SQLSTATE 42P01)}. */
  static String describe(SQLException e) {
    return message(e) + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")");
  }

  /** The server's primary message, without pgjdbc's "ERROR:" prefix and position suffix. */
  static String message(SQLException e) {
    ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    return server != null && server.getMessage() != null ? server.getMessage() : String.valueOf(e.getMessage());
  }

  /** A statement on one line, whitespace collapsed, cut to about 200 characters. */
  static String oneLine(String statement) {
    String line = statement.strip().replaceAll("\\s+", " ");
    return line.length() <= STATEMENT_CHARS ? line : line.substring(0, STATEMENT_CHARS) + "…";
  }
}
