package io.pgvigil.checks.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;

/**
 * A target's history without its database, for {@code review --offline}: the repository says what is applied,
 * either every migration up to one ({@link Through}) or the files a git commit holds ({@link AtGitRef}). The
 * outcome is the {@link HistoryReport} the live reader would give if the database had exactly those applied, in
 * the tool's order: Flyway's versions ascending then its repeatables by description, Prisma's directories by name.
 * A repeatable changed since the git commit is both applied (replayed as it is now: its older text is not read
 * back from git) and pending, since Flyway runs it again at deploy.
 */
public final class OfflineHistory {

  /** How the applied history is told from the pending migrations. */
  public sealed interface Basis {
    /** For people: {@code applied through V41}, {@code applied as of git main}. */
    String describe();
  }

  /** Every migration up to and including this one (a Flyway version such as {@code V41}, or a Prisma directory). */
  public record Through(String migration) implements Basis {
    @Override
    public String describe() {
      return "applied through " + migration;
    }
  }

  /** The migrations present at a git commit are applied; those added since are pending. */
  public record AtGitRef(String ref) implements Basis {
    @Override
    public String describe() {
      return "applied as of git " + ref;
    }
  }

  /** The history, and what the reader noticed (a file changed since the commit, an out-of-order version). */
  public record Result(HistoryReport report, List<String> notes) {
    public Result {
      notes = List.copyOf(notes);
    }
  }

  /**
   * One migration file, by the name the history report gives it.
   *
   * @param version Flyway's version; null for repeatables and Prisma's directories
   * @param repeatable a Flyway repeatable (R__) migration: no place in the order
   */
  private record Migration(String script, MigrationVersion version, String name, boolean repeatable) {}

  private OfflineHistory() {}

  /** Reads the files only (and git, for {@link AtGitRef}); never a database. */
  public static Result read(MigrationSource source, Basis basis, Instant now) throws HistoryException {
    List<Migration> all;
    List<Path> directories;
    if (source instanceof MigrationSource.Flyway flyway) {
      MigrationFiles.checkFlyway(flyway.locations());
      all = flyway(flyway.locations());
      directories = flyway.locations();
    } else {
      Path directory = ((MigrationSource.Prisma) source).directory();
      MigrationFiles.requireDirectory(directory, "Prisma migrations directory");
      all = prisma(directory);
      directories = List.of(directory);
    }
    List<String> notes = new ArrayList<>();
    List<Migration> applied = new ArrayList<>();
    List<Migration> pending = new ArrayList<>();
    if (basis instanceof Through through) {
      int last = find(all, through.migration(), source);
      for (int i = 0; i < all.size(); i++) {
        (all.get(i).repeatable() || i <= last ? applied : pending).add(all.get(i));
      }
      if (all.stream().anyMatch(Migration::repeatable)) {
        notes.add("repeatable migrations are taken as applied, as they are now");
      }
    } else {
      String ref = ((AtGitRef) basis).ref();
      GitFiles git = GitFiles.at(directories.get(0), ref);
      List<String> atRef = new ArrayList<>();
      List<String> changed = new ArrayList<>();
      for (Path directory : directories) {
        atRef.addAll(git.filesAt(directory));
        changed.addAll(git.changedSince(directory));
      }
      for (Migration m : all) {
        String file = source.tool() == MigrationTool.PRISMA ? m.script() + "/migration.sql" : m.script();
        (atRef.contains(file) ? applied : pending).add(m);
        if (atRef.contains(file) && changed.contains(file) && m.repeatable()) {
          // Flyway runs a repeatable again when its checksum changes: that run is what the deploy does.
          pending.add(m);
          notes.add(m.script() + " changed since " + ref + ": Flyway runs it again, so it is reviewed as pending; "
              + "the applied history replays it as it is now, not as it was at " + ref);
        } else if (atRef.contains(file) && changed.contains(file)) {
          notes.add(m.script() + " is applied (it is in " + ref + ") but changed since: it was replayed as it is now");
        }
      }
      Migration latest = applied.stream().filter(m -> !m.repeatable()).reduce((a, b) -> b).orElse(null);
      for (Migration m : pending) {
        if (latest != null && !m.repeatable() && all.indexOf(m) < all.indexOf(latest)) {
          notes.add(m.script() + " is new since " + ref + " but sorts before the latest applied migration "
              + latest.name() + ": " + (source.tool() == MigrationTool.FLYWAY
                  ? "Flyway's migrate skips it unless outOfOrder is enabled" : "Prisma applies it after the others"));
        }
      }
    }
    List<HistoryProblem> problems = pending.stream().map(m -> new HistoryProblem(HistoryProblemKind.PENDING,
        m.version() == null ? null : m.version().getVersion(), m.name(), m.script(), "not applied yet")).toList();
    HistoryReport report = new HistoryReport(source.tool(), source.historyTable(), applied.size(), pending.size(),
        Optional.empty(), problems, applied.stream().map(Migration::script).toList(), List.of(), now);
    return new Result(report, notes);
  }

  /** Where the migration {@code named} is in {@code all}, or an error saying which ones there are. */
  private static int find(List<Migration> all, String named, MigrationSource source) throws HistoryException {
    boolean flyway = source.tool() == MigrationTool.FLYWAY;
    MigrationVersion wanted = flyway ? flywayVersion(named) : null;
    for (int i = 0; i < all.size(); i++) {
      Migration m = all.get(i);
      if (!m.repeatable() && (flyway ? m.version().equals(wanted) : m.name().equals(named.strip()))) {
        return i;
      }
    }
    List<Migration> ordered = all.stream().filter(m -> !m.repeatable()).toList();
    String range = ordered.isEmpty() ? "there are none"
        : "they run from " + ordered.get(0).name() + " to " + ordered.get(ordered.size() - 1).name();
    throw new HistoryException("--applied-through " + named + " names no migration in "
        + String.join(", ", where(source)) + " (" + range + "); give "
        + (flyway ? "a version such as V41" : "a migration directory's name"));
  }

  private static List<String> where(MigrationSource source) {
    return source instanceof MigrationSource.Flyway flyway
        ? flyway.locations().stream().map(MigrationFiles::describe).toList()
        : List.of(MigrationFiles.describe(((MigrationSource.Prisma) source).directory()));
  }

  /** {@code V41}, {@code 41}, {@code 4.1}, {@code V4_1__name.sql}: Flyway's version; null when none. */
  private static MigrationVersion flywayVersion(String text) {
    String version = text.strip();
    if (version.startsWith("V") || version.startsWith("v")) {
      version = version.substring(1);
    }
    int separator = version.indexOf("__");
    if (separator >= 0) {
      version = version.substring(0, separator);
    }
    try {
      return version.isEmpty() ? null : MigrationVersion.fromVersion(version.replace('_', '.'));
    } catch (FlywayException | NumberFormatException e) {
      return null;
    }
  }

  /** Versioned files in version order, then repeatables by description; what Flyway community resolves. */
  private static List<Migration> flyway(List<Path> locations) throws HistoryException {
    List<Migration> versioned = new ArrayList<>();
    List<Migration> repeatable = new ArrayList<>();
    for (Path location : locations) {
      for (Path file : sqlFiles(location)) {
        String name = file.getFileName().toString();
        String script = location.relativize(file).toString().replace('\\', '/');
        int separator = name.indexOf("__");
        if (name.startsWith("R__")) {
          repeatable.add(new Migration(script, null, name, true));
        } else if (name.startsWith("V") && separator >= 2) {
          MigrationVersion version = flywayVersion(name);
          if (version != null) {
            versioned.add(new Migration(script, version, "V" + version.getVersion(), false));
          }
        }
      }
    }
    versioned.sort(Comparator.comparing(Migration::version));
    repeatable.sort(Comparator.comparing(m -> m.name().substring(3)));
    versioned.addAll(repeatable);
    return versioned;
  }

  private static List<Path> sqlFiles(Path location) throws HistoryException {
    try (Stream<Path> files = Files.walk(location)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".sql") && Files.isRegularFile(f))
          .filter(f -> MigrationFiles.visible(location, f)).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      throw new HistoryException("cannot list migrations location " + MigrationFiles.describe(location) + ": "
          + e.getMessage(), e);
    }
  }

  /** Every directory with a migration.sql, by name. */
  private static List<Migration> prisma(Path directory) throws HistoryException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.filter(d -> MigrationFiles.visible(directory, d))
          .filter(d -> Files.isRegularFile(d.resolve("migration.sql")))
          .map(d -> d.getFileName().toString()).sorted()
          .map(name -> new Migration(name, null, name, false)).toList();
    } catch (IOException | UncheckedIOException e) {
      throw new HistoryException("cannot list Prisma migrations directory " + MigrationFiles.describe(directory)
          + ": " + e.getMessage(), e);
    }
  }
}
