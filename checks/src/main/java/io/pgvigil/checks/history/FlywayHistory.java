package io.pgvigil.checks.history;

import io.pgvigil.checks.history.AdvisoryLockKeys.Holder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.ValidateOutput;

/**
 * Flyway history drift, decided by Flyway's own resolver, checksums and states (so pgvigil says
 * what {@code flyway info} and {@code flyway validate} of the same version say), after
 * {@link MigrationFiles#checkFlyway} and a few catalog checks have turned broken inputs into clear messages.
 */
final class FlywayHistory {

  /**
   * The table looked up in the catalogs by name rather than with to_regclass('schema.table'):
   * the catalogs need no privilege, while resolving a qualified name in a schema the role may
   * not use raises "permission denied for schema" instead of answering.
   */
  private static final String TARGET = """
      SELECT s.schema, current_database() AS database, current_user AS role,
             c.oid IS NOT NULL AS present,
             coalesce(has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT'), false) AS readable
      FROM (SELECT coalesce(?, current_schema()) AS schema) s
      LEFT JOIN pg_namespace n ON n.nspname = s.schema
      LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = ? AND c.relkind IN ('r', 'p')
      """;

  /** The states info() reports on its own; not "*:*", which hides checksum mismatches too (checked with 13.12). */
  private static final String[] IGNORED_IN_VALIDATE = {"*:pending", "*:ignored", "*:missing", "*:future"};

  /** @param checksums run Flyway's validate too, for checksum mismatches (drift); the review needs none */
  HistoryReport read(HistoryDatabase db, MigrationSource.Flyway source, Instant now, boolean checksums)
      throws HistoryException {
    MigrationFiles.checkFlyway(source.locations());
    Locked locked = locked(db, source);
    String schema = locked.schema();
    Optional<Holder> lock = locked.lock();
    String historyTable = schema + "." + source.table();
    Flyway flyway = configure(db, source, schema);
    MigrationInfo[] infos;
    List<ValidateOutput> validation;
    try {
      infos = flyway.info().all();
      // Not validate() on the service info() returned: built with other validate patterns, it finds no edited file.
      validation = checksums ? flyway.validateWithResult().invalidMigrations : List.of();
    } catch (FlywayException e) {
      SQLException cause = sqlCause(e);
      if (cause != null && cause.getSQLState() != null) {
        throw db.describe(cause);
      }
      throw new HistoryException("Flyway could not read " + historyTable + " in " + db.where()
          + ": " + oneLine(e.getMessage()), e);
    }
    return report(historyTable, infos, mismatches(validation), inProgress(lock), now, source.locations());
  }

  /** The history table's schema and the holder of Flyway's lock on it, if any. */
  private record Locked(String schema, Optional<Holder> lock) {}

  private static Locked locked(HistoryDatabase db, MigrationSource.Flyway source) throws HistoryException {
    try (Connection connection = db.open()) {
      String schema = schema(connection, source);
      return new Locked(schema, AdvisoryLockKeys.holder(connection, AdvisoryLockKeys.flyway(schema, source.table())));
    } catch (SQLException e) {
      throw db.describe(e);
    }
  }

  /** Flyway migrates right now when its lock on the history table is held. */
  static Optional<MigrationInProgress> running(HistoryDatabase db, MigrationSource.Flyway source)
      throws HistoryException {
    return inProgress(locked(db, source).lock());
  }

  private static Optional<MigrationInProgress> inProgress(Optional<Holder> lock) {
    return lock.map(h -> new MigrationInProgress(
        MigrationTool.FLYWAY, h.pid(), h.since(), "advisory lock " + h.key() + " held"));
  }

  /** The history table's schema, once the table is known to exist and be readable. */
  private static String schema(Connection connection, MigrationSource.Flyway source)
      throws SQLException, HistoryException {
    try (PreparedStatement statement = connection.prepareStatement(TARGET)) {
      statement.setString(1, source.schemas().isEmpty() ? null : source.schemas().get(0));
      statement.setString(2, source.table());
      ResultSet rows = statement.executeQuery();
      rows.next();
      String schema = rows.getString("schema");
      String role = rows.getString("role");
      String table = schema + "." + source.table();
      if (!rows.getBoolean("present")) {
        throw new HistoryException("history table " + table + " does not exist in database "
            + rows.getString("database") + ": has it been migrated? check migrations.table and migrations.schemas");
      }
      if (!rows.getBoolean("readable")) {
        throw new HistoryException("permission denied on history table " + table + " for role " + role
            + " (SQLSTATE 42501); run: GRANT USAGE ON SCHEMA " + schema + " TO " + role
            + "; GRANT SELECT ON " + table + " TO " + role);
      }
      return schema;
    }
  }

  /**
   * Read-only use of Flyway: no schema creation, no callbacks (a beforeInfo.sql in a location would
   * otherwise run), clean disabled; the session is read-only as well ({@link HistoryDatabase}).
   */
  private static Flyway configure(HistoryDatabase db, MigrationSource.Flyway source, String schema) {
    return Flyway.configure()
        .dataSource(db.dataSource())
        .locations(source.locations().stream().map(p -> "filesystem:" + p.toAbsolutePath().normalize())
            .toArray(String[]::new))
        .table(source.table())
        .schemas(source.schemas().isEmpty() ? new String[] {schema} : source.schemas().toArray(String[]::new))
        .createSchemas(false)
        .skipDefaultCallbacks(true)
        .cleanDisabled(true)
        .failOnMissingLocations(true)
        .ignoreMigrationPatterns(IGNORED_IN_VALIDATE)
        .load();
  }

  /** The migrations validate finds checksum mismatches in, keyed as {@link #key(MigrationInfo)}. */
  private static Set<String> mismatches(List<ValidateOutput> validation) {
    Set<String> found = new HashSet<>();
    for (ValidateOutput output : validation) {
      if (output.errorDetails != null && output.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH) {
        boolean repeatable = output.version == null || output.version.isEmpty();
        found.add(repeatable ? "R:" + output.description : "V:" + output.version);
      }
    }
    return found;
  }

  private static String key(MigrationInfo info) {
    return info.getVersion() == null ? "R:" + info.getDescription() : "V:" + info.getVersion().getVersion();
  }

  private static HistoryReport report(String historyTable, MigrationInfo[] infos, Set<String> mismatches,
      Optional<MigrationInProgress> inProgress, Instant now, List<Path> locations) throws HistoryException {
    List<String> behind = filesBehind(infos);
    if (!behind.isEmpty() && Arrays.stream(infos).noneMatch(FlywayHistory::appliedWithItsFile)) {
      throw new HistoryException(MigrationFiles.noneApplied(behind.size(), historyTable,
          "V" + behind.get(behind.size() - 1), "migrations locations",
          locations.stream().map(MigrationFiles::describe).toList()));
    }
    List<HistoryProblem> problems = new ArrayList<>();
    int applied = 0;
    int pending = 0;
    String latest = latestApplied(infos);
    for (MigrationInfo info : infos) {
      if (info.getType().isSynthetic()) {
        continue; // schema-creation and baseline marker rows
      }
      MigrationState state = info.getState();
      if (state.isApplied() && !state.isFailed()) {
        applied++;
      }
      if (mismatches.contains(key(info)) && state.isApplied() && !info.isChecksumMatching()) {
        problems.add(FlywayStates.problem(HistoryProblemKind.CHECKSUM_MISMATCH, info, "applied with checksum "
            + info.getAppliedChecksum() + ", the file now has checksum " + info.getResolvedChecksum()));
      }
      HistoryProblem problem = FlywayStates.classify(info, infos, latest);
      if (problem == null) {
        continue;
      }
      if (problem.kind() == HistoryProblemKind.PENDING) {
        pending++;
        if (inProgress.isPresent()) {
          continue; // being applied right now: not drift
        }
      }
      problems.add(problem);
    }
    return new HistoryReport(MigrationTool.FLYWAY, historyTable, applied, pending, inProgress, problems,
        FlywayStates.replayed(infos), behind, now);
  }

  /**
   * An applied migration whose file is here (edited or not), or a file a baseline row stands for.
   * Without one, every applied version is "future" (an empty directory, a wrong location): not
   * files behind the database, which would pause the structural comparison for good.
   */
  private static boolean appliedWithItsFile(MigrationInfo info) {
    MigrationState state = info.getState();
    return state == MigrationState.BELOW_BASELINE
        || !info.getType().isSynthetic() && state.isApplied() && state.isResolved();
  }

  /** Applied versions newer than every file here (FUTURE_SUCCESS), in version order. */
  private static List<String> filesBehind(MigrationInfo[] infos) {
    return Arrays.stream(infos)
        .filter(info -> info.getState() == MigrationState.FUTURE_SUCCESS && info.getVersion() != null)
        .map(MigrationInfo::getVersion)
        .sorted()
        .map(MigrationVersion::getVersion)
        .toList();
  }

  private static String latestApplied(MigrationInfo[] infos) {
    return Arrays.stream(infos)
        .filter(info -> info.getVersion() != null && info.getState().isApplied() && !info.getType().isSynthetic())
        .map(MigrationInfo::getVersion)
        .max(Comparator.naturalOrder())
        .map(MigrationVersion::getVersion)
        .orElse(null);
  }

  /** The server's own error behind a Flyway exception (a lost connection, a timeout), if any. */
  private static SQLException sqlCause(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }

  /** Flyway's messages span lines ("-> Applied to database : …"); the daemon wants one. */
  static String oneLine(String message) {
    if (message == null) {
      return "no message";
    }
    return String.join("; ", message.strip().lines().map(String::strip).filter(l -> !l.isEmpty())
        .filter(l -> !l.matches("-+")).toList());
  }
}
