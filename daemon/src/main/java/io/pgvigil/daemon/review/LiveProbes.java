package io.pgvigil.daemon.review;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.review.DataQuestion;
import io.pgvigil.checks.session.SessionSafety;
import io.pgvigil.daemon.config.Durations;
import io.pgvigil.daemon.config.Unit;
import io.pgvigil.daemon.review.LiveReport.Outcome;
import io.pgvigil.daemon.review.LiveReport.Probe;
import io.pgvigil.daemon.review.LiveReport.TableSize;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Asks the live database (the target or a replica) the review's questions, one read-only transaction each, under
 * the probe's statement_timeout and a short lock_timeout: a question never waits behind a migration's lock for long,
 * never writes ({@code default_transaction_read_only} and {@code SET TRANSACTION READ ONLY}), and selects {@code 1}
 * with {@code LIMIT 1}, never a row's contents. A question that takes longer is "not checked", never a pass.
 * Blocking (JDBC).
 */
final class LiveProbes implements AutoCloseable {

  /** Short: an ACCESS SHARE that has to wait means a migration holds or wants the table right now. */
  private static final Duration LOCK_TIMEOUT = Duration.ofMillis(500);
  private static final Duration SIZES_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Per table: on live? pg_total_relation_size, relpages and reltuples summed over its leaf partitions
   * (pg_partition_tree has no rows for a table that is not partitioned: then the table itself).
   */
  private static final String SIZES = """
      SELECT t.name, c.oid IS NOT NULL, coalesce(s.bytes, 0), coalesce(s.pages, 0), coalesce(s.rows, -1)
      FROM (SELECT ?::pg_catalog.text) AS t(name)
        LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(t.name)
        LEFT JOIN LATERAL (
          SELECT pg_catalog.sum(pg_catalog.pg_total_relation_size(leaf.relid))::bigint AS bytes,
            pg_catalog.sum(k.relpages)::bigint AS pages,
            CASE WHEN pg_catalog.bool_and(k.reltuples < 0) THEN -1
              ELSE pg_catalog.sum(GREATEST(k.reltuples, 0)) END::float8 AS rows
          FROM (SELECT p.relid FROM pg_catalog.pg_partition_tree(c.oid) p WHERE p.isleaf
                UNION SELECT c.oid WHERE c.relkind <> 'p') leaf
            JOIN pg_catalog.pg_class k ON k.oid = leaf.relid) s ON true""";

  private final Connection connection;
  private final Duration timeout;
  private final Duration lockTimeout;

  private LiveProbes(Connection connection, Duration timeout, Duration lockTimeout) {
    this.connection = connection;
    this.timeout = timeout;
    this.lockTimeout = lockTimeout;
  }

  static LiveProbes open(HistoryDatabase database, Duration timeout, Duration connectTimeout) throws SQLException {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setURL(database.jdbcUrl());
    if (database.user() != null) {
      source.setUser(database.user());
    }
    if (database.password() != null) {
      source.setPassword(database.password());
    }
    source.setApplicationName(SessionSafety.APPLICATION_NAME);
    Duration lockTimeout = LOCK_TIMEOUT.compareTo(timeout) < 0 ? LOCK_TIMEOUT : timeout;
    // The session's own timeout bounds the catalog read of the sizes; each question sets the probe's.
    Duration session = SIZES_TIMEOUT.compareTo(timeout) > 0 ? SIZES_TIMEOUT : timeout;
    SessionSafety safety = new SessionSafety(session, lockTimeout, Duration.ofSeconds(30), true);
    source.setOptions(safety.jdbcOptions());
    source.setConnectTimeout((int) Math.max(1, connectTimeout.toSeconds()));
    // The server cancels a question at the timeout; the socket waits a little longer for that answer.
    source.setSocketTimeout((int) timeout.toSeconds() + 30);
    Connection connection = source.getConnection();
    // As the shadow deparsed the questions: every name outside pg_catalog is schema-qualified, so a function or
    // operator resolves to the one the shadow checked, not one the role's search_path finds first.
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET search_path = ''");
    }
    connection.setAutoCommit(false);
    return new LiveProbes(connection, timeout, lockTimeout);
  }

  /**
   * One table at a time, each in a transaction of its own: pg_total_relation_size takes ACCESS SHARE, and a table a
   * migration holds right now leaves that one size unread, not the whole review.
   */
  Map<String, TableSize> sizes(List<String> tables) throws SQLException {
    Map<String, TableSize> sizes = new LinkedHashMap<>();
    for (String table : tables) {
      try (PreparedStatement statement = connection.prepareStatement(SIZES)) {
        statement.setString(1, table);
        try (ResultSet rs = statement.executeQuery()) {
          rs.next();
          sizes.put(table,
              new TableSize(table, rs.getBoolean(2), rs.getLong(3), rs.getLong(4), rs.getDouble(5)));
        }
      } catch (SQLException e) {
        if (e.getSQLState() == null || !e.getSQLState().equals("55P03") && !e.getSQLState().equals("57014")) {
          throw e;
        }
        sizes.put(table, TableSize.notRead(table, e.getSQLState().equals("55P03")
            ? "the lock on " + table + " was not granted within " + Durations.format(lockTimeout)
                + " (a migration holds or waits for it)"
            : "reading it took longer than " + Durations.format(SIZES_TIMEOUT.compareTo(timeout) > 0
                ? SIZES_TIMEOUT : timeout)));
      } finally {
        connection.rollback();
      }
    }
    return sizes;
  }

  /** One question in a read-only transaction of its own; {@code size} words the answer. */
  Probe ask(DataQuestion question, TableSize size) throws SQLException {
    long start = System.nanoTime();
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET TRANSACTION READ ONLY");
      // A number we made, not input.
      statement.execute("SET LOCAL statement_timeout = " + timeout.toMillis());
      boolean found;
      try (ResultSet rs = statement.executeQuery(question.sql())) {
        found = rs.next();
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      return found ? new Probe(question, Outcome.FAILS, found(question, size), millis)
          : new Probe(question, Outcome.PASSES, "no", millis);
    } catch (SQLException e) {
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
        throw e;
      }
      return new Probe(question, Outcome.NOT_CHECKED, notChecked(question, size, e), millis);
    } finally {
      connection.rollback();
    }
  }

  private static String found(DataQuestion question, TableSize size) {
    return question.kind() == DataQuestion.Kind.ANY_ROW && size != null && size.rows() > 0
        ? "yes (" + SizeGrade.rows(size) + ")" : "yes (at least one)";
  }

  private String notChecked(DataQuestion question, TableSize size, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState().toUpperCase(Locale.ROOT);
    String about = size == null ? "" : " (" + SizeGrade.rows(size).replace("≈", "about") + ", "
        + Unit.BYTES.format(size.bytes()) + ")";
    return switch (state) {
      case "57014" -> "not checked: " + question.table() + " too large to scan within "
          + Durations.format(timeout) + about;
      case "55P03" -> "not checked: the lock on " + question.table() + " was not granted within "
          + Durations.format(lockTimeout) + " (a migration holds or waits for it)";
      default -> safeMessage(state) ? "not checked: " + String.valueOf(e.getMessage()).lines().findFirst()
          .orElse("").strip() + " (SQLSTATE " + state + ")"
          : "not checked: the question failed on live (SQLSTATE " + (state.isEmpty() ? "unknown" : state)
              + "), and so may the statement at deploy";
    };
  }

  /**
   * Whether the message of an error in this state is about the question, not a row: a data exception (22), a
   * RAISE in a function the expression calls (P0001), an internal error (XX000) may quote a row's value, and only
   * their SQLSTATE is shown. Allowed: syntax and access (42), lock and timeouts (55P03, 57014), serialization
   * (40001), connection (08), authorization (28), a missing database (3D000).
   */
  static boolean safeMessage(String state) {
    return state.startsWith("42") || state.startsWith("08") || state.startsWith("28")
        || List.of("55P03", "57014", "40001", "3D000").contains(state);
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
