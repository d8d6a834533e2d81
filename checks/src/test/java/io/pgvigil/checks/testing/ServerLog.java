package io.pgvigil.checks.testing;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * The test server's own log, from a mark on: what PostgreSQL itself says it did, e.g. that it
 * cancelled a statement ({@link #CANCEL}) or ended a session ({@link #TERMINATE}), and for which
 * backend. It is read back through SQL ({@code pg_read_binary_file}), so the embedded server and a
 * container are read the same way.
 *
 * <p>{@link #mark(TestPostgres)} turns the logging collector on the first time (a setting that
 * needs a restart: the server restarts on the same port, so call it before anything connects), with
 * one file that never rotates and the backend's pid on every line.
 */
public final class ServerLog {

  /** What a backend logs when {@code pg_cancel_backend} cancels its statement. */
  public static final String CANCEL = "ERROR:  canceling statement due to user request";
  /** What a backend logs when {@code pg_terminate_backend} ends its session. */
  public static final String TERMINATE = "FATAL:  terminating connection due to administrator command";

  private static final String FILE = "pgvigil-test.log";
  private static final String SIZE = "SELECT (pg_stat_file(pg_current_logfile())).size";
  private static final String READ = "SELECT pg_read_binary_file(pg_current_logfile(), ?, ?)";

  private final TestPostgres pg;
  private final long from;

  private ServerLog(TestPostgres pg, long from) {
    this.pg = pg;
    this.from = from;
  }

  /** The log from now on (after turning the collector on if it is off). */
  public static ServerLog mark(TestPostgres pg) throws SQLException {
    boolean collecting;
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      try (ResultSet rows = s.executeQuery("SHOW logging_collector")) {
        rows.next();
        collecting = rows.getString(1).equals("on");
      }
      if (!collecting) {
        // '%p' puts the backend's pid on every line; the file is fixed so that it never rotates under the test.
        for (String setting : List.of("logging_collector = on", "log_filename = '" + FILE + "'",
            "log_rotation_age = 0", "log_rotation_size = 0", "log_line_prefix = '%m [%p] '")) {
          s.execute("ALTER SYSTEM SET " + setting);
        }
      }
    }
    if (!collecting) {
      pg.stop();
      pg.start();
    }
    return new ServerLog(pg, size(pg));
  }

  private static long size(TestPostgres pg) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(SIZE)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** The lines the server wrote since the mark. */
  public List<String> lines() throws SQLException {
    try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement(READ)) {
      s.setLong(1, from);
      s.setLong(2, Math.max(0, size(pg) - from));
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return Arrays.asList(new String(rows.getBytes(1), StandardCharsets.UTF_8).split("\n"));
      }
    }
  }

  /** Lines since the mark that contain {@code message}, logged by backend {@code pid}. */
  public long count(String message, int pid) throws SQLException {
    return lines().stream().filter(l -> l.contains("[" + pid + "] ") && l.contains(message)).count();
  }

  /** Lines since the mark that contain {@code message}, from any backend. */
  public long count(String message) throws SQLException {
    return lines().stream().filter(l -> l.contains(message)).count();
  }
}
