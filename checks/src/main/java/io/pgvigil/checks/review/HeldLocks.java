package io.pgvigil.checks.review;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The relation locks the migration's own backend holds right now: relation oid to its strongest mode. */
final class HeldLocks {

  /** Weakest to strongest (manual, "Explicit Locking", table-level lock modes). */
  private static final List<String> MODES = List.of("AccessShareLock", "RowShareLock", "RowExclusiveLock",
      "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock");

  static final String ACCESS_EXCLUSIVE = "AccessExclusiveLock";

  private static final String LOCKS = """
      SELECT relation::bigint, mode FROM pg_catalog.pg_locks
      WHERE pid = pg_catalog.pg_backend_pid() AND granted AND locktype = 'relation'
        AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())""";

  private HeldLocks() {}

  static Map<Long, String> read(Connection connection) throws SQLException {
    Map<Long, String> held = new HashMap<>();
    CatalogState.eachRow(connection, LOCKS, rs -> held.merge(rs.getLong(1), rs.getString(2), HeldLocks::stronger));
    return held;
  }

  static String stronger(String a, String b) {
    return MODES.indexOf(a) >= MODES.indexOf(b) ? a : b;
  }

  static boolean isStronger(String mode, String than) {
    return than == null || MODES.indexOf(mode) > MODES.indexOf(than);
  }

  /** {@code AccessExclusiveLock} as people write it: {@code ACCESS EXCLUSIVE}. */
  static String display(String mode) {
    if (mode == null) {
      return null;
    }
    String bare = mode.endsWith("Lock") ? mode.substring(0, mode.length() - 4) : mode;
    return bare.replaceAll("([a-z])([A-Z])", "$1 $2").toUpperCase(Locale.ROOT);
  }
}
