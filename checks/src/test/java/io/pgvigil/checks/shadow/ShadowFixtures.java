package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Small helpers for the shadow tests: admin credentials, catalog questions, migration files. */
final class ShadowFixtures {

  private ShadowFixtures() {}

  /** The test server's {@code app} database as the admin database of a url-mode shadow. */
  static HistoryDatabase admin(TestPostgres pg) {
    return new HistoryDatabase("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database(), pg.user(),
        pg.password());
  }

  static List<String> shadowDatabases(TestPostgres pg) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection connection = pg.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT datname FROM pg_database WHERE datname LIKE 'pgvigil\\_shadow\\_%' ORDER BY 1");
        ResultSet rows = query.executeQuery()) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  static Connection connect(ShadowDatabase shadow) throws SQLException {
    return DriverManager.getConnection(shadow.jdbcUrl(), shadow.user(), shadow.password());
  }

  /** The first column of the first row, as text; null when there is no row. */
  static String query(ShadowDatabase shadow, String sql, Object... parameters) throws SQLException {
    try (Connection connection = connect(shadow); PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setObject(i + 1, parameters[i]);
      }
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  /** Whether {@code schema.table} exists in the shadow. */
  static boolean tableExists(ShadowDatabase shadow, String qualifiedName) throws SQLException {
    return query(shadow, "SELECT to_regclass(?) IS NOT NULL", qualifiedName).equals("t");
  }

  static Path write(Path directory, String name, String content) throws IOException {
    Path file = directory.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }
}
