package io.pgvigil.checks.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flywaydb.core.api.callback.Event;

/**
 * A target's migrations: where the files live, where the database keeps its history, and everything
 * Flyway and Prisma do differently. Nothing outside this package needs to know which tool it is.
 */
public sealed interface MigrationSource {

  MigrationTool tool();

  /** The history table as snapshots name tables (schema-qualified, unquoted). */
  String historyTable();

  /**
   * Compares the history with the files: the history half of the drift check. Blocking (JDBC, file
   * reads, Flyway): never call it on an event loop.
   */
  HistoryReport read(HistoryDatabase db, Instant now) throws HistoryException;

  /**
   * Whether the tool runs a migration right now, by its lock alone: one query, before anything that could wait on
   * the migration's locks (a catalog snapshot's {@code pg_get_viewdef} takes ACCESS SHARE) is started. Blocking.
   */
  Optional<MigrationInProgress> running(HistoryDatabase db) throws HistoryException;

  /**
   * As {@link #read}, for the pre-flight review, which needs what is applied and what is pending but not whether
   * an applied file was edited: Flyway's validate (a second resolve and checksum of every file) is left out.
   */
  default HistoryReport readPending(HistoryDatabase db, Instant now) throws HistoryException {
    return read(db, now);
  }

  /** The file of a migration, by the name the history report gives it. */
  Path locate(String script) throws IOException;

  /** What a replay of {@code applied} runs, in order: the expected schema depends on their bytes. */
  List<ReplayedFile> replayedFiles(List<String> applied) throws IOException;

  /** The tool and its settings, for {@code check-config}. */
  String describe();

  /** A file a replay runs, named relative to its location; path null when it is applied but gone. */
  record ReplayedFile(String name, Path path) {}

  /**
   * Flyway: SQL migrations under {@code locations} (V, U, R and B prefixes, {@code .sql.conf} beside
   * them), history in {@code table} in the first of {@code schemas}. {@code mixed} is Flyway's setting
   * at deploy: whether a migration may mix statements that can run in a transaction with ones that cannot.
   */
  record Flyway(List<Path> locations, String table, List<String> schemas, boolean mixed)
      implements MigrationSource {
    public static final String DEFAULT_LOCATION = "db/migration";
    public static final String DEFAULT_TABLE = "flyway_schema_history";
    public static final List<String> DEFAULT_SCHEMAS = List.of("public");
    private static final Set<String> CALLBACKS =
        Stream.of(Event.values()).map(Event::getId).collect(Collectors.toUnmodifiableSet());

    public Flyway {
      locations = List.copyOf(locations);
      schemas = List.copyOf(schemas);
    }

    @Override
    public MigrationTool tool() {
      return MigrationTool.FLYWAY;
    }

    @Override
    public String historyTable() {
      return (schemas.isEmpty() ? "public" : schemas.get(0)) + "." + table;
    }

    @Override
    public HistoryReport read(HistoryDatabase db, Instant now) throws HistoryException {
      return new FlywayHistory().read(db, this, now, true);
    }

    @Override
    public Optional<MigrationInProgress> running(HistoryDatabase db) throws HistoryException {
      return FlywayHistory.running(db, this);
    }

    @Override
    public HistoryReport readPending(HistoryDatabase db, Instant now) throws HistoryException {
      return new FlywayHistory().read(db, this, now, false);
    }

    @Override
    public Path locate(String script) throws IOException {
      Path file = find(script);
      if (file == null) {
        throw new IOException("pending migration " + script + " is in none of the Flyway locations");
      }
      return file;
    }

    /** The script in the first location that has it, else null. */
    public Path find(String script) {
      for (Path location : locations) {
        Path file = location.resolve(script);
        if (Files.isRegularFile(file)) {
          return file;
        }
      }
      return null;
    }

    /**
     * Each applied script and its .sql.conf, in the order live applied them, then the SQL
     * callbacks (the replay copies and runs them too).
     */
    @Override
    public List<ReplayedFile> replayedFiles(List<String> applied) throws IOException {
      List<ReplayedFile> files = new ArrayList<>();
      for (String script : applied) {
        Path file = find(script);
        files.add(new ReplayedFile(script, file));
        Path conf = file == null ? null : file.resolveSibling(file.getFileName() + ".conf");
        if (conf != null && Files.isRegularFile(conf)) {
          files.add(new ReplayedFile(script + ".conf", conf));
        }
      }
      files.addAll(callbacks());
      return files;
    }

    /**
     * The SQL callback files ({@code afterMigrate.sql}, {@code beforeEachMigrate__x.sql}, …) a
     * migrate of the locations runs, as {@code callbacks-<n>/<path in location n>}, sorted by path.
     */
    public List<ReplayedFile> callbacks() throws IOException {
      List<ReplayedFile> files = new ArrayList<>();
      for (int n = 0; n < locations.size(); n++) {
        Path location = locations.get(n);
        if (Files.isDirectory(location)) { // else the replay fails, saying so
          try (Stream<Path> walk = Files.walk(location)) {
            for (Path callback : walk.filter(Files::isRegularFile).filter(Flyway::isCallback)
                .filter(f -> MigrationFiles.visible(location, f)).sorted().toList()) {
              files.add(new ReplayedFile("callbacks-" + n + "/" + location.relativize(callback), callback));
            }
          }
        }
      }
      return files;
    }

    private static boolean isCallback(Path file) {
      String name = file.getFileName().toString();
      return name.endsWith(".sql")
          && CALLBACKS.contains(name.substring(0, name.length() - ".sql".length()).split("__", 2)[0]);
    }

    @Override
    public String describe() {
      return "flyway, locations " + locations + ", table " + table + ", schemas " + schemas + (mixed ? ", mixed" : "");
    }
  }

  /** Prisma Migrate: {@code <directory>/<name>/migration.sql}, history in {@code _prisma_migrations}. */
  record Prisma(Path directory) implements MigrationSource {
    public static final String DEFAULT_DIRECTORY = "prisma/migrations";

    public Prisma {
      Objects.requireNonNull(directory, "directory");
    }

    @Override
    public MigrationTool tool() {
      return MigrationTool.PRISMA;
    }

    @Override
    public String historyTable() {
      return "public._prisma_migrations";
    }

    @Override
    public HistoryReport read(HistoryDatabase db, Instant now) throws HistoryException {
      return new PrismaHistory().read(db, this, now);
    }

    @Override
    public Optional<MigrationInProgress> running(HistoryDatabase db) throws HistoryException {
      return PrismaHistory.running(db);
    }

    @Override
    public Path locate(String script) {
      return directory.resolve(script);
    }

    @Override
    public List<ReplayedFile> replayedFiles(List<String> applied) {
      List<ReplayedFile> files = new ArrayList<>();
      for (String name : applied) {
        Path file = directory.resolve(name).resolve("migration.sql");
        files.add(new ReplayedFile(name + "/migration.sql", Files.exists(file) ? file : null));
      }
      return files;
    }

    @Override
    public String describe() {
      return "prisma, directory " + directory;
    }
  }
}
