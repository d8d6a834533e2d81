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
 * <p>The keys and their {@code pg_locks} form are in {@link AdvisoryLockKeys}.
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

  /** See {@link AdvisoryLockKeys#PRISMA}. */
  static final long PRISMA_KEY = AdvisoryLockKeys.PRISMA;

  /** A session holding a migration tool's advisory lock. */
  record Holder(int pid, Instant since, long key) {}

  private MigrationLocks() {}

  static long flywayKey(String schema, String table) {
    return AdvisoryLockKeys.flyway(schema, table);
  }

  static Optional<Holder> holder(Connection connection, long key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(HELD)) {
      statement.setLong(1, AdvisoryLockKeys.classid(key));
      statement.setLong(2, AdvisoryLockKeys.objid(key));
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
