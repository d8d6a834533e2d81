package io.pgvigil.checks.history;

import io.pgvigil.checks.session.SessionSafety;
import io.pgvigil.checks.tls.TlsFailure;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/** JDBC connections for the history readers (Flyway's API needs JDBC), with {@link SessionSafety#HISTORY}. */
final class HistoryConnection {

  private static final String INSUFFICIENT_PRIVILEGE = "42501";

  private HistoryConnection() {}

  static DataSource dataSource(HistoryDatabase db) {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setURL(db.jdbcUrl());
    if (db.user() != null) {
      source.setUser(db.user());
    }
    if (db.password() != null) {
      source.setPassword(db.password());
    }
    source.setApplicationName(SessionSafety.APPLICATION_NAME);
    String given = source.getOptions();
    String options = SessionSafety.HISTORY.jdbcOptions();
    source.setOptions(given == null || given.isBlank() ? options : given + " " + options);
    source.setConnectTimeout(10);
    source.setSocketTimeout(30);
    return source;
  }

  static Connection open(HistoryDatabase db) throws HistoryException {
    try {
      return dataSource(db).getConnection();
    } catch (SQLException e) {
      throw describe(e, db);
    }
  }

  /**
   * One line for a failed connection or query: where, the server's words and the SQLSTATE.
   * pgjdbc's messages carry host, port and user but never the password.
   */
  static HistoryException describe(SQLException e, HistoryDatabase db) {
    Optional<String> tls = TlsFailure.reason(e, host(db));
    if (tls.isPresent()) {
      return new HistoryException("cannot connect to PostgreSQL at " + where(db) + ": " + tls.get(), e);
    }
    String state = e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")";
    String reason = firstLine(e.getMessage());
    if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
      return new HistoryException("cannot connect to PostgreSQL at " + where(db) + ": " + reason + state
          + "; check the target's url and that the server accepts connections", e);
    }
    if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
      return new HistoryException("permission denied reading the migration history in " + where(db) + ": "
          + reason + state, e);
    }
    return new HistoryException("reading the migration history in " + where(db) + " failed: " + reason + state, e);
  }

  private static String host(HistoryDatabase db) {
    Properties parsed = Driver.parseURL(db.jdbcUrl(), new Properties());
    return parsed == null ? "the server" : parsed.getProperty("PGHOST", "localhost");
  }

  /** {@code host:port/database}, from the URL as pgjdbc itself parses it. */
  static String where(HistoryDatabase db) {
    Properties parsed = Driver.parseURL(db.jdbcUrl(), new Properties());
    if (parsed == null) {
      return "(unparseable JDBC URL)";
    }
    return parsed.getProperty("PGHOST", "localhost") + ":" + parsed.getProperty("PGPORT", "5432") + "/"
        + parsed.getProperty("PGDBNAME", "");
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String trimmed = message.strip();
    int newline = trimmed.indexOf('\n');
    return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
  }
}
