package io.pgvigil.checks.review;

import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.TestServers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * How fast this machine's PostgreSQL goes through a table in the statements the review grades by size: a rewrite
 * (ALTER COLUMN TYPE, with its primary key rebuilt), an index build, a CHECK validation scan, and the duplicate
 * probe's GROUP BY. Bytes are pg_total_relation_size before the statement (what {@code review.throughput} divides).
 * Not a test: {@code mvn -B -pl checks test-compile exec:java -Dexec.mainClass=io.pgvigil.checks.review.RewriteBench}
 * ({@code -Dbench.rows=2000000}).
 */
public final class RewriteBench {

  private RewriteBench() {}

  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("bench.rows", 2_000_000);
    try (OwnedTestPostgres pg = TestServers.startEmbedded(TestServers.major(), "rewrite-bench");
        Connection c = pg.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id bigint PRIMARY KEY, account int, email text, total numeric)");
      s.execute("INSERT INTO t SELECT g, g % 10000, 'user' || g || '@example.com', g / 100.0 "
          + "FROM generate_series(1, " + rows + ") g");
      s.execute("VACUUM ANALYZE t");
      System.out.printf(Locale.ROOT, "PostgreSQL %d, %,d rows%n", pg.major(), rows);
      measure(s, "rewrite (ALTER COLUMN TYPE, pkey rebuilt)", "ALTER TABLE t ALTER COLUMN account TYPE bigint");
      measure(s, "index build (CREATE INDEX)", "CREATE INDEX t_email_idx ON t (email)");
      measure(s, "CHECK validation scan", "ALTER TABLE t ADD CONSTRAINT t_total CHECK (total >= 0)");
      measure(s, "duplicate probe (GROUP BY email)",
          "SELECT 1 FROM t WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1 LIMIT 1");
      measure(s, "duplicate probe (GROUP BY account, no index)",
          "SELECT 1 FROM t WHERE account IS NOT NULL GROUP BY account HAVING count(*) > 1 LIMIT 1");
    }
  }

  private static void measure(Statement s, String what, String sql) throws SQLException {
    long bytes;
    try (ResultSet rs = s.executeQuery("SELECT pg_total_relation_size('t')")) {
      rs.next();
      bytes = rs.getLong(1);
    }
    long start = System.nanoTime();
    s.execute(sql);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(Locale.ROOT, "%-45s %8.1f MiB %7.2f s %8.1f MiB/s%n", what, bytes / 1048576.0, seconds,
        bytes / 1048576.0 / seconds);
  }
}
