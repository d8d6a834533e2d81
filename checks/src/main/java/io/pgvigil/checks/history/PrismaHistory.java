package io.pgvigil.checks.history;

import io.pgvigil.checks.history.AdvisoryLockKeys.Holder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Prisma Migrate history drift: {@code <directory>/<name>/migration.sql} against
 * {@code _prisma_migrations}, found through the session's search_path as Prisma finds it (the
 * {@code ?currentSchema=} of the target's URL, like Prisma's {@code ?schema=}). Prisma applies
 * directories in lexicographic order, writes a row with finished_at NULL before a migration runs
 * and sets finished_at after; a failed run keeps the row unfinished with the error in logs, and
 * {@code prisma migrate resolve --rolled-back} sets rolled_back_at.
 */
final class PrismaHistory {

  private static final String TABLE = """
      SELECT n.nspname, current_database(), current_user, has_table_privilege(c.oid, 'SELECT')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass(?)
      """;

  private static final String ROWS = """
      SELECT migration_name, checksum, started_at, finished_at, rolled_back_at, logs
      FROM _prisma_migrations
      ORDER BY started_at, migration_name
      """;

  private static final String SEARCHED = "SELECT current_database(), current_setting('search_path')";

  private static final String HISTORY_TABLE = "_prisma_migrations";
  private static final String SCRIPT = "migration.sql";

  private record Row(String name, String checksum, Instant startedAt, Instant finishedAt, Instant rolledBackAt,
      String logs) {
    boolean finished() {
      return finishedAt != null && rolledBackAt == null;
    }

    boolean unfinished() {
      return finishedAt == null && rolledBackAt == null;
    }
  }

  HistoryReport read(HistoryDatabase db, MigrationSource.Prisma source, Instant now) throws HistoryException {
    NavigableMap<String, byte[]> scripts = scripts(source.directory());
    String historyTable;
    List<Row> rows;
    Optional<Holder> lock;
    try (Connection connection = db.open()) {
      historyTable = table(connection);
      rows = rows(connection);
      lock = AdvisoryLockKeys.holder(connection, AdvisoryLockKeys.PRISMA);
    } catch (SQLException e) {
      throw db.describe(e);
    }
    return compare(historyTable, scripts, rows, lock, now, source.directory());
  }

  /** Prisma migrates right now when its lock is held (which migration, the full read says). */
  static Optional<MigrationInProgress> running(HistoryDatabase db) throws HistoryException {
    try (Connection connection = db.open()) {
      return AdvisoryLockKeys.holder(connection, AdvisoryLockKeys.PRISMA).map(h -> new MigrationInProgress(
          MigrationTool.PRISMA, h.pid(), h.since(), "advisory lock " + AdvisoryLockKeys.PRISMA + " held"));
    } catch (SQLException e) {
      throw db.describe(e);
    }
  }

  private static HistoryReport compare(String historyTable, NavigableMap<String, byte[]> scripts, List<Row> rows,
      Optional<Holder> lock, Instant now, Path directory) throws HistoryException {
    Map<String, Row> finished = new LinkedHashMap<>();
    Map<String, Row> unfinished = new LinkedHashMap<>();
    for (Row row : rows) {
      if (row.finished()) {
        finished.put(row.name(), row); // the latest finished attempt
      } else if (row.unfinished()) {
        unfinished.put(row.name(), row);
      }
    }
    finished.keySet().forEach(unfinished::remove); // a failed attempt later applied is history, not a problem
    // Prisma applies one migration at a time: with its lock held, the latest unfinished row is the
    // one running now; older unfinished rows are failures all the same (SPEC, known traps).
    Row inFlight = lock.isPresent() && !unfinished.isEmpty()
        ? unfinished.values().stream().reduce((a, b) -> b).orElseThrow() : null;
    Optional<MigrationInProgress> inProgress = lock.map(h -> new MigrationInProgress(MigrationTool.PRISMA, h.pid(),
        inFlight != null ? inFlight.startedAt() : h.since(),
        "advisory lock " + AdvisoryLockKeys.PRISMA + " held"
            + (inFlight == null ? "" : ", unfinished history row " + inFlight.name())));

    String latestApplied = finished.keySet().stream().max(String::compareTo).orElse(null);
    String lastInRepository = scripts.isEmpty() ? null : scripts.lastKey();
    TreeSet<String> names = new TreeSet<>(scripts.keySet());
    names.addAll(finished.keySet());
    names.addAll(unfinished.keySet());
    List<HistoryProblem> problems = new ArrayList<>();
    List<String> filesBehind = new ArrayList<>();
    int pending = 0;
    for (String name : names) {
      byte[] script = scripts.get(name);
      String file = script == null ? null : name + "/" + SCRIPT;
      Row done = finished.get(name);
      Row open = unfinished.get(name);
      if (open != null) {
        if (open == inFlight) {
          continue;
        }
        problems.add(new HistoryProblem(HistoryProblemKind.FAILED, name, name, file, "started " + open.startedAt()
            + " and never finished, and no Prisma migration holds the lock: it failed" + firstLog(open)
            + "; fix it, then run prisma migrate resolve --rolled-back or --applied " + name));
      } else if (done != null && script == null) {
        if (lastInRepository == null || name.compareTo(lastInRepository) > 0) {
          filesBehind.add(name); // newer than every directory here: the files are behind, not drift
        } else {
          problems.add(new HistoryProblem(HistoryProblemKind.MISSING_FROM_REPOSITORY, name, name, name + "/" + SCRIPT,
              "applied " + done.finishedAt() + ", but " + name + "/" + SCRIPT + " is not in the repository"));
        }
      } else if (done != null && !PrismaChecksum.matches(script, done.checksum())) {
        problems.add(new HistoryProblem(HistoryProblemKind.CHECKSUM_MISMATCH, name, name, file, "applied with checksum "
            + done.checksum() + ", the file now has checksum " + PrismaChecksum.of(script)));
      } else if (done == null && latestApplied != null && name.compareTo(latestApplied) < 0) {
        problems.add(new HistoryProblem(HistoryProblemKind.OUT_OF_ORDER, name, name, file,
            "never applied, and sorts before the latest applied migration " + latestApplied));
      } else if (done == null) {
        pending++;
        if (inProgress.isEmpty()) {
          problems.add(new HistoryProblem(HistoryProblemKind.PENDING, name, name, file, "not applied yet"));
        }
      }
    }
    // Files behind the database are an older part of the applied history. With none of the applied
    // migrations here (an empty or wrong directory) every applied one sorts after the last directory:
    // not files-behind, which would pause the structural comparison for good.
    if (!filesBehind.isEmpty() && finished.keySet().stream().noneMatch(scripts::containsKey)) {
      throw new HistoryException(MigrationFiles.noneApplied(finished.size(), historyTable,
          filesBehind.get(filesBehind.size() - 1), "migrations directory",
          List.of(MigrationFiles.describe(directory))));
    }
    // In the order they were applied: directory order as a rule, but a directory added later with
    // an earlier name is applied by the next deploy after the later ones.
    List<String> appliedNames = finished.values().stream()
        .sorted(Comparator.comparing(Row::startedAt).thenComparing(Row::name))
        .map(Row::name)
        .toList();
    return new HistoryReport(MigrationTool.PRISMA, historyTable, finished.size(), pending, inProgress, problems,
        appliedNames, filesBehind, now);
  }

  private static String firstLog(Row row) {
    return row.logs() == null || row.logs().isBlank() ? "" : "; logs: " + HistoryDatabase.firstLine(row.logs());
  }

  /** Migration directories in apply order (lexicographic), each with its migration.sql bytes. */
  private static NavigableMap<String, byte[]> scripts(Path directory) throws HistoryException {
    MigrationFiles.requireDirectory(directory, "Prisma migrations directory");
    TreeMap<String, byte[]> scripts = new TreeMap<>();
    try (Stream<Path> entries = Files.list(directory)) {
      // Not ..data nor ..<timestamp> of a ConfigMap volume (MigrationFiles.visible).
      for (Path entry : entries.filter(Files::isDirectory).filter(d -> MigrationFiles.visible(directory, d))
          .toList()) {
        String name = entry.getFileName().toString();
        Path script = entry.resolve(SCRIPT);
        if (!Files.exists(script)) {
          throw new HistoryException("Prisma migration " + name + " has no " + SCRIPT + " (" + script
              + "); Prisma refuses such a directory: add the file or remove the directory");
        }
        scripts.put(name, MigrationFiles.readUtf8(script, name + "/" + SCRIPT));
      }
    } catch (IOException e) {
      throw new HistoryException("cannot list Prisma migrations directory " + MigrationFiles.describe(directory)
          + ": " + e.getMessage(), e);
    }
    return scripts;
  }

  private static String table(Connection connection) throws SQLException, HistoryException {
    try (PreparedStatement statement = connection.prepareStatement(TABLE);
        PreparedStatement where = connection.prepareStatement(SEARCHED)) {
      statement.setString(1, HISTORY_TABLE);
      ResultSet rows = statement.executeQuery();
      if (!rows.next()) {
        ResultSet found = where.executeQuery();
        found.next();
        throw new HistoryException("history table " + HISTORY_TABLE + " does not exist in database "
            + found.getString(1) + " (search_path " + found.getString(2) + "): has prisma migrate deploy "
            + "run against it? check the schema in the target's url (?currentSchema=)");
      }
      String qualified = rows.getString(1) + "." + HISTORY_TABLE;
      if (!rows.getBoolean(4)) {
        throw new HistoryException("permission denied on history table " + qualified + " for role "
            + rows.getString(3) + " (SQLSTATE 42501); run: GRANT SELECT ON " + qualified + " TO "
            + rows.getString(3));
      }
      return qualified;
    }
  }

  private static List<Row> rows(Connection connection) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(ROWS); ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        rows.add(new Row(result.getString("migration_name"), result.getString("checksum"),
            HistoryDatabase.instant(result, "started_at"), HistoryDatabase.instant(result, "finished_at"),
            HistoryDatabase.instant(result, "rolled_back_at"), result.getString("logs")));
      }
    }
    return rows;
  }
}
