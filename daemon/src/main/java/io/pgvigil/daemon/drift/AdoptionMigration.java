package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.FixStyle;
import io.pgvigil.checks.schema.MigrationSql;
import io.pgvigil.checks.schema.SchemaDiff;
import io.pgvigil.checks.schema.SchemaFinding;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The migration that adopts live drift (a hotfix made by hand): run after the applied history, it makes the schema
 * live has. Its statements are each finding's, the other way round: the live schema taken as the expected one and
 * the replayed history as the one to change ({@link FixStyle#MIGRATION}: no CONCURRENTLY, one transaction).
 *
 * @param file      the migration file to write, named after the history's own
 * @param directory for Prisma, the new migration's folder (made when written); null for Flyway
 * @param sql       the file's text
 */
public record AdoptionMigration(Path file, Path directory, String sql) {

  /** Letters, digits and underscores: a Flyway description and a Prisma folder name alike. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");
  public static final String DEFAULT_NAME = "adopt_live_drift";

  /** Why nothing can be written; the message says what and what to do. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }

  public static void checkName(String name) throws Refused {
    if (!NAME.matcher(name).matches()) {
      throw new Refused("--name '" + name + "' must be letters, digits and underscores (it becomes the file name)");
    }
  }

  /** What would be written for this target, or why not. Reads the migration locations; writes nothing. */
  public static AdoptionMigration plan(String target, MigrationSource source, DriftCheck.Schemas schemas, String name,
      Instant now) throws Refused, IOException {
    checkName(name);
    HistoryReport history = schemas.history();
    List<String> pending = history.problems().stream().filter(p -> p.kind() == HistoryProblemKind.PENDING)
        .map(p -> p.script() == null ? p.version() : p.script()).toList();
    if (!pending.isEmpty()) {
      throw new Refused("target '" + target + "' has migrations not applied yet (" + String.join(", ", pending)
          + "): the new migration would run after them, which live never did; apply or remove them first");
    }
    List<SchemaFinding> findings = new SchemaDiff(FixStyle.MIGRATION).compare(schemas.live(), schemas.expected());
    if (findings.isEmpty()) {
      throw new Refused("target '" + target + "' has no structural drift: its live schema is the one its migration "
          + "history makes, so there is nothing to adopt");
    }
    List<SchemaFinding> manual = findings.stream().filter(f -> f.suggestedSql().isEmpty()).toList();
    if (!manual.isEmpty()) {
      throw new Refused("target '" + target + "': no migration statement for " + manual.size() + " of "
          + findings.size() + " differences; write these by hand (or fix live), then run again:\n" + manual.stream()
              .map(f -> "  " + f.object() + ": " + f.manualFix().orElse("").replace("\n", "\n    "))
              .collect(Collectors.joining("\n")));
    }
    String sql = String.join("\n\n", MigrationSql.ordered(findings)) + "\n";
    if (source instanceof MigrationSource.Flyway flyway) {
      if (flyway.locations().isEmpty() || !Files.isDirectory(flyway.locations().get(0))) {
        throw new Refused("the Flyway location " + (flyway.locations().isEmpty() ? "(none)"
            : flyway.locations().get(0)) + " is not a directory");
      }
      List<String> scripts = new ArrayList<>(NextMigration.flywayScripts(flyway.locations()));
      scripts.addAll(history.appliedMigrations());
      Path file = flyway.locations().get(0).resolve(NextMigration.flywayFile(scripts, name));
      String record = "flyway migrate -skipExecutingMigrations=true (Flyway Teams), or add its row to "
          + flyway.table() + " the way your team records hotfixes";
      return new AdoptionMigration(refuseExisting(file), null, header(target, findings, now, record) + sql);
    }
    MigrationSource.Prisma prisma = (MigrationSource.Prisma) source;
    if (!Files.isDirectory(prisma.directory())) {
      throw new Refused("the Prisma migrations directory " + prisma.directory() + " is not a directory");
    }
    String folderName = NextMigration.prismaFolder(prisma.directory(), name, now);
    Path folder = prisma.directory().resolve(folderName);
    return new AdoptionMigration(refuseExisting(folder.resolve("migration.sql")), refuseExisting(folder),
        header(target, findings, now, "prisma migrate resolve --applied " + folderName) + sql);
  }

  private static Path refuseExisting(Path path) throws Refused {
    if (Files.exists(path)) {
      throw new Refused(path + " already exists; nothing written");
    }
    return path;
  }

  private static String header(String target, List<SchemaFinding> findings, Instant now, String record) {
    return "-- Adopts the live schema of target '" + target + "' into the migration history: "
        + findings.size() + " difference" + (findings.size() == 1 ? "" : "s") + "\n"
        + "-- between live and the replayed history (pgvigil drift --emit-migration, " + now + ").\n"
        + "-- Live already has these changes: record this migration as applied there instead of running it:\n"
        + "--   " + record + "\n\n";
  }

  /**
   * Writes the file: to a temporary file beside it, then moved into place, so a reader never sees half of it; the
   * Prisma folder is made first and removed again if the write fails.
   */
  public void write() throws IOException {
    boolean madeDirectory = false;
    if (directory != null) {
      Files.createDirectory(directory);
      madeDirectory = true;
    }
    Path temporary = file.resolveSibling("." + file.getFileName() + ".pgvigil-tmp");
    try {
      Files.writeString(temporary, sql);
      try {
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, file);
      }
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      if (madeDirectory) {
        Files.deleteIfExists(directory);
      }
      throw e;
    }
  }
}
