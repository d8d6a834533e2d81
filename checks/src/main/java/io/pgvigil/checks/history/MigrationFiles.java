package io.pgvigil.checks.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reading migration files the way both tools expect them: present, readable, UTF-8; Flyway's versions unique. */
final class MigrationFiles {

  private static final Logger LOG = LoggerFactory.getLogger(MigrationFiles.class);
  private static final String SUFFIX = ".sql";
  private static final String SEPARATOR = "__";

  /** A V or B file's version; {@code V1} and {@code V1.0} are one version, as in Flyway. */
  private record Versioned(char prefix, MigrationVersion version) {}

  /**
   * Checks a Flyway target's files before Flyway reads them, so that each broken input gets one
   * message that names the file: Flyway's own messages for these cases are long, and for an
   * invalid byte it silently checksums a replacement character instead.
   */
  static void checkFlyway(List<Path> locations) throws HistoryException {
    Map<Versioned, Path> versions = new HashMap<>();
    for (Path location : locations) {
      requireDirectory(location, "migrations location");
      for (Path file : sqlFiles(location)) {
        String name = file.getFileName().toString();
        String shown = location.relativize(file).toString();
        readUtf8(file, shown);
        if (name.startsWith("U")) {
          // Undo migrations are a Flyway Teams feature: the community edition counts U files as
          // "did not follow the filename convention" and skips them (checked with 13.12), so
          // 'flyway validate' and pgvigil both leave them out.
          LOG.debug("{}: undo migration, ignored as Flyway community ignores it", shown);
          continue;
        }
        Versioned key = versioned(name);
        if (key == null) {
          continue;
        }
        Path other = versions.putIfAbsent(key, file);
        if (other != null) {
          throw new HistoryException("two migrations have version " + key.version().getVersion() + ": " + other
              + " and " + file + "; give one of them a new version (Flyway refuses duplicate versions)");
        }
      }
    }
  }

  /** The version of {@code V1_1__add.sql} or a B file; null for repeatables and names Flyway would not take. */
  private static Versioned versioned(String name) {
    char prefix = name.charAt(0);
    int separator = name.indexOf(SEPARATOR);
    if ((prefix != 'V' && prefix != 'B') || separator < 2) {
      return null;
    }
    try {
      return new Versioned(prefix, MigrationVersion.fromVersion(name.substring(1, separator).replace('_', '.')));
    } catch (FlywayException | NumberFormatException e) {
      return null;
    }
  }

  /** Flyway scans filesystem locations recursively, hidden directories left out; so does this, in a stable order. */
  private static List<Path> sqlFiles(Path location) throws HistoryException {
    try (Stream<Path> files = Files.walk(location)) {
      return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX) && !Files.isDirectory(f))
          .filter(f -> visible(location, f)).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      throw new HistoryException("cannot list migrations location " + describe(location) + ": "
          + e.getMessage(), e);
    }
  }

  private MigrationFiles() {}

  /**
   * False for a path in or at a name starting with a dot under {@code location}. A Kubernetes ConfigMap
   * volume holds each key twice: the real file in a hidden {@code ..<timestamp>/} directory (reached
   * also through the {@code ..data} link) and a top-level link to it; a walk would see every migration
   * twice. Flyway's FileSystemScanner skips hidden directories for that reason (flyway/flyway#1807).
   */
  static boolean visible(Path location, Path path) {
    for (Path name : location.relativize(path)) {
      if (name.toString().startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  /** {@code ./db/migration (/abs/db/migration)}: the configured path and where it resolved. */
  static String describe(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    return absolute.equals(path) ? path.toString() : path + " (" + absolute + ")";
  }

  /** For a history none of whose applied migrations is in the files: a wrong or empty location, not files behind. */
  static String noneApplied(int applied, String historyTable, String latest, String what, List<String> where) {
    return "none of the " + applied + " migration" + (applied == 1 ? "" : "s") + " applied to " + historyTable
        + " (latest " + latest + ") is in the " + what + " " + String.join(", ", where)
        + ": the files are missing or are not this database's migrations; check the "
        + what + " in the target's migrations settings (files behind the database are reported only when "
        + "they are an older part of the applied history)";
  }

  static void requireDirectory(Path directory, String what) throws HistoryException {
    if (!Files.isDirectory(directory)) {
      String problem = Files.exists(directory) ? "is not a directory" : "does not exist";
      throw new HistoryException(what + " " + describe(directory) + " " + problem
          + "; check the path in the target's migrations settings");
    }
  }

  /**
   * The file's bytes, after checking they decode as UTF-8. Decoding is strict (a fresh decoder
   * reports): String's constructor replaces bad bytes with U+FFFD, which would hide an editor's
   * Latin-1 save until the tool itself rejects or mis-checksums the file.
   */
  static byte[] readUtf8(Path file, String shown) throws HistoryException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      String reason = e instanceof AccessDeniedException
          ? "permission denied; pgvigil needs read access to every migration file"
          : e instanceof NoSuchFileException ? "it does not exist (a dangling symbolic link?)" : e.getMessage();
      throw new HistoryException("cannot read migration file " + shown + " (" + file + "): " + reason, e);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(in, CharBuffer.allocate(bytes.length + 1), true);
    if (result.isError()) {
      int offset = in.position();
      throw new HistoryException("migration file " + shown + " (" + file + ") is not valid UTF-8: byte 0x"
          + String.format("%02X", bytes[offset] & 0xFF) + " at byte offset " + offset
          + " does not decode; save the file as UTF-8");
    }
    return bytes;
  }
}
