package io.pgvigil.checks.history;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The advisory locks Flyway and Prisma hold while they migrate: a granted one means a migration
 * is running in this database right now.
 *
 * <p>A bigint advisory key shows in {@code pg_locks} as {@code classid} = high 32 bits,
 * {@code objid} = low 32 bits, {@code objsubid} = 1 (PostgreSQL manual, "pg_locks": "A bigint
 * key is displayed with its high-order half in the classid column, its low-order half in the
 * objid column, and objsubid equal to 1").
 */
final class MigrationLocks {

  private static final String HELD = """
      SELECT l.pid, coalesce(a.xact_start, a.query_start, a.backend_start) AS since
      FROM pg_locks l
      LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory'
        AND l.granted
        AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::int8 = ?
        AND l.objid::int8 = ?
      ORDER BY since NULLS LAST
      LIMIT 1
      """;

  /**
   * Flyway's PostgreSQLAdvisoryLockTemplate: {@code 77431708279161L + table.toString().hashCode()}
   * (0x466C79776179 is "Flyway" in ASCII), where the table prints as Flyway quotes it,
   * {@code "public"."flyway_schema_history"}. Taken with pg_try_advisory_xact_lock, or with
   * pg_try_advisory_lock when postgresql.transactional.lock=false. Checked against Flyway 13.12.
   */
  static final long FLYWAY_LOCK_BASE = 77431708279161L;

  /** prisma-engines, sql-schema-connector postgres flavour: {@code SELECT pg_advisory_lock(72707369)}. */
  static final long PRISMA_KEY = 72707369L;

  /** A session holding a migration tool's advisory lock. */
  record Holder(int pid, Instant since, long key) {}

  private MigrationLocks() {}

  static long flywayKey(String schema, String table) {
    return FLYWAY_LOCK_BASE + (quote(schema) + "." + quote(table)).hashCode();
  }

  /** As Flyway's PostgreSQLDatabase.doQuote: double quotes, embedded ones doubled. */
  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  static Optional<Holder> holder(Connection connection, long key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(HELD)) {
      statement.setLong(1, key >>> 32);
      statement.setLong(2, key & 0xFFFFFFFFL);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        OffsetDateTime since = rows.getObject("since", OffsetDateTime.class);
        return Optional.of(new Holder(rows.getInt("pid"), since == null ? null : since.toInstant(), key));
      }
    }
  }
}
