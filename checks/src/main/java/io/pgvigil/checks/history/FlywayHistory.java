package io.pgvigil.checks.history;

import io.pgvigil.checks.history.MigrationLocks.Holder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * Flyway history drift, decided by Flyway's own resolver, checksums and states (so pgvigil says
 * what {@code flyway info} and {@code flyway validate} of the same version say), after
 * {@link FlywayScripts} and a few catalog checks have turned broken inputs into clear messages.
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

  /**
   * validate must still see checksum mismatches: "*:*" hides them (checked with 13.12), so only
   * the states info() reports on its own are silenced here.
   */
  private static final String[] IGNORED_IN_VALIDATE = {"*:pending", "*:ignored", "*:missing", "*:future"};

  private record Target(String schema, String database, String role) {}

  HistoryReport read(HistoryDatabase db, MigrationSource.Flyway source, Instant now) throws HistoryException {
    FlywayScripts.check(source.locations());
    Target target;
    Optional<Holder> lock;
    try (Connection connection = HistoryConnection.open(db)) {
      target = target(connection, db, source);
      lock = MigrationLocks.holder(connection, MigrationLocks.flywayKey(target.schema(), source.table()));
    } catch (SQLException e) {
      throw HistoryConnection.describe(e, db);
    }
    String historyTable = target.schema() + "." + source.table();
    Flyway flyway = configure(db, source, target.schema());
    MigrationInfo[] infos;
    ValidateResult validation;
    try {
      infos = flyway.info().all();
      validation = flyway.validateWithResult();
    } catch (FlywayException e) {
      SQLException cause = sqlCause(e);
      if (cause != null && cause.getSQLState() != null) {
        throw HistoryConnection.describe(cause, db);
      }
      throw new HistoryException("Flyway could not read " + historyTable + " in " + HistoryConnection.where(db)
          + ": " + oneLine(e.getMessage()), e);
    }
    Optional<MigrationInProgress> inProgress = lock.map(h -> new MigrationInProgress(
        MigrationTool.FLYWAY, h.pid(), h.since(), "advisory lock " + h.key() + " held"));
    return report(historyTable, infos, mismatches(validation), inProgress, now, source.locations());
  }

  private static Target target(Connection connection, HistoryDatabase db, MigrationSource.Flyway source)
      throws SQLException, HistoryException {
    String configured = source.schemas().isEmpty() ? null : source.schemas().get(0);
    Target target;
    boolean present;
    boolean readable;
    try (PreparedStatement statement = connection.prepareStatement(TARGET)) {
      statement.setString(1, configured);
      statement.setString(2, source.table());
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        target = new Target(rows.getString("schema"), rows.getString("database"), rows.getString("role"));
        present = rows.getBoolean("present");
        readable = rows.getBoolean("readable");
      }
    }
    String table = target.schema() + "." + source.table();
    if (!present) {
      throw new HistoryException("history table " + table + " does not exist in database " + target.database()
          + ": has it been migrated? check migrations.table and migrations.schemas");
    }
    if (!readable) {
      throw new HistoryException("permission denied on history table " + table + " for role " + target.role()
          + " (SQLSTATE 42501); run: GRANT USAGE ON SCHEMA " + target.schema() + " TO " + target.role()
          + "; GRANT SELECT ON " + table + " TO " + target.role());
    }
    return target;
  }

  /**
   * Read-only use of Flyway: no schema creation, no callbacks (SQL callbacks such as
   * beforeInfo.sql in a location would otherwise run), clean disabled. The session is read-only
   * as well (see {@link HistoryConnection}).
   */
  private static Flyway configure(HistoryDatabase db, MigrationSource.Flyway source, String schema) {
    return Flyway.configure()
        .dataSource(HistoryConnection.dataSource(db))
        .locations(source.locations().stream().map(FlywayHistory::location).toArray(String[]::new))
        .table(source.table())
        .schemas(source.schemas().isEmpty() ? new String[] {schema} : source.schemas().toArray(String[]::new))
        .createSchemas(false)
        .skipDefaultCallbacks(true)
        .cleanDisabled(true)
        .failOnMissingLocations(true)
        .ignoreMigrationPatterns(IGNORED_IN_VALIDATE)
        .load();
  }

  private static String location(Path path) {
    return "filesystem:" + path.toAbsolutePath().normalize();
  }

  /** Checksum mismatches from validate, keyed as {@link #key(MigrationInfo)}. */
  private static Map<String, ValidateOutput> mismatches(ValidateResult validation) {
    Map<String, ValidateOutput> found = new HashMap<>();
    for (ValidateOutput output : validation.invalidMigrations) {
      if (output.errorDetails != null && output.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH) {
        found.put(
            output.version == null || output.version.isEmpty() ? "R:" + output.description : "V:" + output.version,
            output);
      }
    }
    return found;
  }

  private static String key(MigrationInfo info) {
    return info.getVersion() == null ? "R:" + info.getDescription() : "V:" + info.getVersion().getVersion();
  }

  private static HistoryReport report(String historyTable, MigrationInfo[] infos,
      Map<String, ValidateOutput> mismatches,
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
      ValidateOutput mismatch = mismatches.get(key(info));
      if (mismatch != null && state.isApplied() && !info.isChecksumMatching()) {
        problems.add(problem(HistoryProblemKind.CHECKSUM_MISMATCH, info, "applied with checksum "
            + info.getAppliedChecksum() + ", the file now has checksum " + info.getResolvedChecksum()));
      }
      FlywayStates.Finding finding = FlywayStates.classify(info, infos, latest);
      if (finding == null) {
        continue;
      }
      if (finding.kind() == HistoryProblemKind.PENDING) {
        pending++;
        if (inProgress.isPresent()) {
          continue; // being applied right now: not drift
        }
      }
      problems.add(problem(finding.kind(), info, finding.detail()));
    }
    return new HistoryReport(MigrationTool.FLYWAY, historyTable, applied, pending, inProgress, problems,
        FlywayApplied.scripts(infos), behind, now);
  }

  /**
   * An applied migration whose file is here (edited or not), or a file a baseline row stands
   * for. Files behind the database means the files are an older part of the applied history;
   * without one such match every applied version is "future" (an empty directory, a wrong
   * location), and calling that files-behind would pause the structural comparison for good.
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
    MigrationVersion latest = null;
    for (MigrationInfo info : infos) {
      if (info.getVersion() != null && info.getState().isApplied() && !info.getType().isSynthetic()
          && (latest == null || info.getVersion().compareTo(latest) > 0)) {
        latest = info.getVersion();
      }
    }
    return latest == null ? null : latest.getVersion();
  }

  private static HistoryProblem problem(HistoryProblemKind kind, MigrationInfo info, String detail) {
    String version = info.getVersion() == null ? null : info.getVersion().getVersion();
    String script = info.getState().isResolved() ? info.getScript() : null;
    return new HistoryProblem(kind, version, info.getDescription(), script, detail);
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
