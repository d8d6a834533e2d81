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

  /** Runs the statements in order, on one connection. */
  public static void execute(TestPostgres server, String... statements) throws SQLException {
    try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
