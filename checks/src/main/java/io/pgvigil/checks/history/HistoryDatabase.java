package io.pgvigil.checks.history;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * How the history reader connects (JDBC: Flyway's API needs it). The password
 * never appears in {@link #toString()}.
 *
 * @param jdbcUrl  e.g. {@code jdbc:postgresql://db:5432/app}, without credentials
 * @param password null when the server does not ask for one
 */
public record HistoryDatabase(String jdbcUrl, String user, String password) {

  /** The server's major version (a shadow must run the same), asked over a history session. */
  public int serverMajor() throws HistoryException {
    try (Connection connection = HistoryConnection.open(this);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1)) / 10000;
    } catch (SQLException e) {
      throw HistoryConnection.describe(e, this);
    }
  }

  @Override
  public String toString() {
    return "HistoryDatabase[jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}
