package io.pgvigil.checks.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One-line JDBC for tests. */
public final class Sql {

  private Sql() {}

  public static String query(TestPostgres server, String sql) throws SQLException {
    try (Connection connection = server.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  public static void execute(TestPostgres server, String sql) throws SQLException {
    try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
