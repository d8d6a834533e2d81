package io.pgvigil.daemon.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** The demo's drift, the two kinds that happen in real life. */
final class DriftScenarios {

  static final String EDITED = "V2__create_products.sql";
  static final String ADDED = "V12__add_products_description.sql";
  static final String HAND_INDEX = "public.orders_status_idx";
  static final String CHANGED_DEFAULT = "public.products.active";
  static final String INVALID_INDEX = "public.customers_full_name_key";

  private DriftScenarios() {}

  /**
   * History drift: someone edits a migration that production already ran (its checksum no longer
   * matches the history), and a new migration waits to be deployed.
   */
  static void editHistory(Path migrations) throws IOException {
    Files.writeString(migrations.resolve(EDITED), """

        -- Added after this migration had run in production: it will never run there.
        CREATE INDEX products_active_idx ON products (active);
        """, StandardOpenOption.APPEND);
    Files.writeString(migrations.resolve(ADDED), """
        ALTER TABLE products ADD COLUMN description text;
        """);
  }

  /**
   * Structural drift, what a hand "hotfix" on production leaves behind: an index created by hand, a
   * default changed by hand, and an INVALID index from a CREATE UNIQUE INDEX CONCURRENTLY that failed
   * on duplicate data (PostgreSQL keeps the half-built index: "CREATE INDEX" in the manual).
   */
  static void hotfix(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("CREATE INDEX orders_status_idx ON orders (status)");
      s.execute("ALTER TABLE products ALTER COLUMN active SET DEFAULT false");
      s.execute("INSERT INTO customers (email, full_name) VALUES "
          + "('ada@example.com', 'Ada Lovelace'), ('ada.l@example.com', 'Ada Lovelace')");
      try {
        s.execute("CREATE UNIQUE INDEX CONCURRENTLY customers_full_name_key ON customers (full_name)");
        throw new IllegalStateException("the duplicate names should have made the index build fail");
      } catch (SQLException expected) {
        // 23505 unique_violation: the index stays behind, marked INVALID.
        if (!"23505".equals(expected.getSQLState())) {
          throw expected;
        }
      }
    }
  }
}
