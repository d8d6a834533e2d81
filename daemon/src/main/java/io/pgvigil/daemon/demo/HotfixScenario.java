package io.pgvigil.daemon.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The demo's structural drift: what a hand "hotfix" on production leaves
 * behind. An index created by hand, a default changed by hand, and an INVALID
 * index from a CREATE UNIQUE INDEX CONCURRENTLY that failed on duplicate data
 * (PostgreSQL keeps the half-built index: "CREATE INDEX" in the manual).
 */
final class HotfixScenario {

  static final String HAND_INDEX = "public.orders_status_idx";
  static final String CHANGED_DEFAULT = "public.products.active";
  static final String INVALID_INDEX = "public.customers_full_name_key";

  private HotfixScenario() {}

  static void apply(String jdbcUrl) throws SQLException {
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
