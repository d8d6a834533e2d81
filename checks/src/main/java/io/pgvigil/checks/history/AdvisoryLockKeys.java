package io.pgvigil.checks.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The advisory lock keys Flyway and Prisma take while they migrate (a granted one means a migration
 * is running in this database right now), and how a bigint key shows in {@code pg_locks}: high half
 * in {@code classid}, low half in {@code objid}, {@code objsubid} = 1 (PostgreSQL manual, "pg_locks").
 */
public final class AdvisoryLockKeys {

  private static final String HELD = """
      SELECT l.pid, coalesce(a.xact_start, a.query_start, a.backend_start) AS since
      FROM pg_locks l
      LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::int8 = ? AND l.objid::int8 = ?
      ORDER BY since NULLS LAST
      LIMIT 1
      """;

  /**
   * Flyway's PostgreSQLAdvisoryLockTemplate: {@code 77431708279161L + table.toString().hashCode()}
   * (0x466C79776179 is "Flyway" in ASCII), where the table prints as Flyway quotes it,
   * {@code "public"."flyway_schema_history"}. Taken with pg_try_advisory_xact_lock, or with
   * pg_try_advisory_lock when postgresql.transactional.lock=false. Checked against Flyway 13.12.
   */
  public static final long FLYWAY_BASE = 77431708279161L;

  /**
   * Every Flyway key lies in [base + Integer.MIN_VALUE, base + Integer.MAX_VALUE], whose high halves
   * are 18027 and 18028: a lock with one of these classids is Flyway's whatever its history table.
   */
  public static final long FLYWAY_CLASSID_MIN = classid(FLYWAY_BASE + Integer.MIN_VALUE);

  public static final long FLYWAY_CLASSID_MAX = classid(FLYWAY_BASE + Integer.MAX_VALUE);

  /** prisma-engines, sql-schema-connector postgres flavour: {@code SELECT pg_advisory_lock(72707369)}. */
  public static final long PRISMA = 72707369L;

  record Holder(int pid, Instant since, long key) {}

  private AdvisoryLockKeys() {}

  /** The key Flyway locks for its history table {@code schema.table}. */
  public static long flyway(String schema, String table) {
    return FLYWAY_BASE + (quote(schema) + "." + quote(table)).hashCode();
  }

  public static long classid(long key) {
    return key >>> 32;
  }

  public static long objid(long key) {
    return key & 0xFFFFFFFFL;
  }

  /** As Flyway's PostgreSQLDatabase.doQuote: double quotes, embedded ones doubled. */
  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  static Optional<Holder> holder(Connection connection, long key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(HELD)) {
      statement.setLong(1, classid(key));
      statement.setLong(2, objid(key));
      ResultSet rows = statement.executeQuery();
      return rows.next()
          ? Optional.of(new Holder(rows.getInt("pid"), HistoryDatabase.instant(rows, "since"), key))
          : Optional.empty();
    }
  }
}
