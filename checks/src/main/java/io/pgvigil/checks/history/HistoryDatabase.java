package io.pgvigil.checks.history;

import io.pgvigil.checks.session.SessionSafety;
import io.pgvigil.checks.tls.TlsFailure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How the history reader connects: JDBC (Flyway's API needs it), with {@link SessionSafety#HISTORY}.
 * The password never appears in {@link #toString()}.
 *
 * @param jdbcUrl  e.g. {@code jdbc:postgresql://db:5432/app}, without credentials
 * @param password null when the server does not ask for one
 */
public record HistoryDatabase(String jdbcUrl, String user, String password) {

  /** The server's major version (a shadow must run the same), asked over a history session. */
  public int serverMajor() throws HistoryException {
    try (Connection connection = open();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1)) / 10000;
    } catch (SQLException e) {
      throw describe(e);
    }
  }

  DataSource dataSource() {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setURL(jdbcUrl);
    // Unset keeps a user or password given in the URL.
    if (user != null) {
      source.setUser(user);
    }
    if (password != null) {
      source.setPassword(password);
    }
    source.setApplicationName(SessionSafety.APPLICATION_NAME);
    String given = source.getOptions();
    String options = SessionSafety.HISTORY.jdbcOptions();
    source.setOptions(given == null || given.isBlank() ? options : given + " " + options);
    source.setConnectTimeout(10);
    source.setSocketTimeout(30);
    return source;
  }

  Connection open() throws HistoryException {
    try {
      return dataSource().getConnection();
    } catch (SQLException e) {
      throw describe(e);
    }
  }

  /**
   * One line for a failed connection or query: where, the server's words and the SQLSTATE.
   * pgjdbc's messages carry host, port and user but never the password.
   */
  HistoryException describe(SQLException e) {
    Properties url = Driver.parseURL(jdbcUrl, new Properties());
    Optional<String> tls = TlsFailure.reason(e, url == null ? "the server" : url.getProperty("PGHOST", "localhost"));
    if (tls.isPresent()) {
      return new HistoryException("cannot connect to PostgreSQL at " + where() + ": " + tls.get(), e);
    }
    String state = e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")";
    String reason = firstLine(e.getMessage());
    if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
      return new HistoryException("cannot connect to PostgreSQL at " + where() + ": " + reason + state
          + "; check the target's url and that the server accepts connections", e);
    }
    if ("42501".equals(e.getSQLState())) {
      return new HistoryException("permission denied reading the migration history in " + where() + ": "
          + reason + state, e);
    }
    return new HistoryException("reading the migration history in " + where() + " failed: " + reason + state, e);
  }

  /** {@code host:port/database}, from the URL as pgjdbc itself parses it. */
  String where() {
    Properties parsed = Driver.parseURL(jdbcUrl, new Properties());
    return parsed == null ? "(unparseable JDBC URL)" : parsed.getProperty("PGHOST", "localhost") + ":"
        + parsed.getProperty("PGPORT", "5432") + "/" + parsed.getProperty("PGDBNAME", "");
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String trimmed = message.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
  }

  static Instant instant(ResultSet rows, String column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  @Override
  public String toString() {
    return "HistoryDatabase[jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}
