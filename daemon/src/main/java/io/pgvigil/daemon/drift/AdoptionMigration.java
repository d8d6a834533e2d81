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
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The migration that adopts live drift (a hotfix made by hand): run after the applied history, it makes the schema
 * live has. Its statements are each finding's, the other way round: the live schema taken as the expected one and
 * the replayed history as the one to change ({@link FixStyle#MIGRATION}: no CONCURRENTLY, one transaction).
 *
 * <p>New enum labels go in a file of their own, before the rest: a label added in a transaction cannot be used in
 * it ("unsafe use of new value", https://www.postgresql.org/docs/current/sql-altertype.html, Notes), and a Flyway or
 * Prisma migration is one transaction.
 *
 * @param files the files to write, in the order they run
 */
public record AdoptionMigration(List<File> files) {

  /**
   * One file.
   *
   * @param file      the migration file to write, named after the history's own
   * @param directory for Prisma, the new migration's folder (made when written); null for Flyway
   * @param sql       the file's text
   */
  public record File(Path file, Path directory, String sql) {}

  public AdoptionMigration {
    files = List.copyOf(files);
  }

  /** Every file's text, in order: what stdout shows. */
  public String sql() {
    return files.stream().map(File::sql).collect(Collectors.joining("\n"));
  }

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

  /**
   * The role map ({@code drift.roleMap}, repository role → live role) turned round: live role → repository role, for
   * a migration that names roles as the history does. Refused when two repository roles share a live one: which of
   * them a live GRANT stands for cannot be told.
   */
  public static Map<String, String> repositoryRoles(String target, Map<String, String> roleMap) throws Refused {
    Map<String, String> inverse = new TreeMap<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(roleMap).entrySet()) {
      String other = inverse.putIfAbsent(entry.getValue(), entry.getKey());
      if (other != null) {
        throw new Refused("target '" + target + "': drift.roleMap maps both " + other + " and " + entry.getKey()
            + " to " + entry.getValue() + ", so live's grants cannot be written in the repository's role names; "
            + "make the map one-to-one");
      }
    }
    return inverse;
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
    // The replay is not what live ran: a failed migration (live half-applied), a lower version never applied (the
    // replay skips it, as migrate does, but the next migrate with outOfOrder would not), or a repeatable whose file
    // changed (the next migrate re-applies it, so live's version of it would be adopted twice).
    List<String> unsettled = history.problems().stream()
        .filter(p -> p.kind() == HistoryProblemKind.FAILED || p.kind() == HistoryProblemKind.REPEATABLE_OUTDATED
            || p.kind() == HistoryProblemKind.OUT_OF_ORDER && !history.appliedMigrations().contains(p.script()))
        .map(p -> (p.script() == null ? p.version() : p.script()) + " (" + p.kind().label() + ")").toList();
    if (!unsettled.isEmpty()) {
      throw new Refused("target '" + target + "': the history is not settled (" + String.join(", ", unsettled)
          + "): a migration written now would adopt what the history itself has yet to do; repair the history "
          + "(or edit a changed repeatable migration rather than adopting it) first");
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
    List<String> statements = MigrationSql.ordered(findings);
    List<String> labels = statements.stream().filter(MigrationSql::addsEnumLabels).toList();
    List<String> rest = statements.stream().filter(st -> !MigrationSql.addsEnumLabels(st)).toList();
    List<List<String>> parts = labels.isEmpty() || rest.isEmpty() ? List.of(statements) : List.of(labels, rest);
    List<String> names = parts.size() == 1 ? List.of(name) : List.of(name + "_enum_labels", name);
    List<File> files = new ArrayList<>();
    if (source instanceof MigrationSource.Flyway flyway) {
      if (flyway.locations().isEmpty() || !Files.isDirectory(flyway.locations().get(0))) {
        throw new Refused("the Flyway location " + (flyway.locations().isEmpty() ? "(none)"
            : flyway.locations().get(0)) + " is not a directory");
      }
      List<String> scripts = new ArrayList<>(NextMigration.flywayScripts(flyway.locations()));
      scripts.addAll(history.appliedMigrations());
      String record = "flyway migrate -skipExecutingMigrations=true (Flyway Teams), or add its row to "
          + flyway.table() + " the way your team records hotfixes";
      for (int i = 0; i < parts.size(); i++) {
        String fileName = NextMigration.flywayFile(scripts, names.get(i));
        scripts.add(fileName);
        Path file = flyway.locations().get(0).resolve(fileName);
        files.add(new File(refuseExisting(file), null, header(target, findings, now, record, i, parts.size())
            + String.join("\n\n", parts.get(i)) + "\n"));
      }
      return new AdoptionMigration(files);
    }
    MigrationSource.Prisma prisma = (MigrationSource.Prisma) source;
    if (!Files.isDirectory(prisma.directory())) {
      throw new Refused("the Prisma migrations directory " + prisma.directory() + " is not a directory");
    }
    String after = null;
    for (int i = 0; i < parts.size(); i++) {
      String folderName = NextMigration.prismaFolder(prisma.directory(), names.get(i), now, after);
      after = folderName;
      Path folder = prisma.directory().resolve(folderName);
      files.add(new File(refuseExisting(folder.resolve("migration.sql")), refuseExisting(folder),
          header(target, findings, now, "prisma migrate resolve --applied " + folderName, i, parts.size())
              + String.join("\n\n", parts.get(i)) + "\n"));
    }
    return new AdoptionMigration(files);
  }

  private static Path refuseExisting(Path path) throws Refused {
    if (Files.exists(path)) {
      throw new Refused(path + " already exists; nothing written");
    }
    return path;
  }

  private static String header(String target, List<SchemaFinding> findings, Instant now, String record, int part,
      int parts) {
    return "-- Adopts the live schema of target '" + target + "' into the migration history: "
        + findings.size() + " difference" + (findings.size() == 1 ? "" : "s") + "\n"
        + "-- between live and the replayed history (pgvigil drift --emit-migration, " + now + ")"
        + (parts == 1 ? ".\n" : part == 0 ? "; the new enum labels, apart: a\n-- transaction cannot use a label it "
            + "adds, and the next migration uses them.\n" : "; the rest, after the enum labels.\n")
        + "-- Live already has these changes: record this migration as applied there instead of running it:\n"
        + "--   " + record + "\n\n";
  }

  /**
   * Writes the files in order: each to a temporary file beside it, then moved into place, so a reader never sees
   * half of one; a Prisma folder is made first. If one fails, what was written before it is removed again.
   */
  public void write() throws IOException {
    List<File> written = new ArrayList<>();
    try {
      for (File f : files) {
        write(f);
        written.add(f);
      }
    } catch (IOException e) {
      for (File f : written) {
        Files.deleteIfExists(f.file());
        if (f.directory() != null) {
          Files.deleteIfExists(f.directory());
        }
      }
      throw e;
    }
  }

  private static void write(File f) throws IOException {
    boolean madeDirectory = false;
    if (f.directory() != null) {
      Files.createDirectory(f.directory());
      madeDirectory = true;
    }
    Path temporary = f.file().resolveSibling("." + f.file().getFileName() + ".pgvigil-tmp");
    try {
      Files.writeString(temporary, f.sql());
      try {
        Files.move(temporary, f.file(), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, f.file());
      }
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      if (madeDirectory) {
        Files.deleteIfExists(f.directory());
      }
      throw e;
    }
  }
}
