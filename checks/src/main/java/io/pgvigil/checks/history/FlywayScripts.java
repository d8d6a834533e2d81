package io.pgvigil.checks.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks a Flyway target's migration files before Flyway reads them, so that each broken input
 * gets one message that names the file: Flyway's own messages for these cases are long, and for
 * an invalid byte it silently checksums a replacement character instead.
 */
final class FlywayScripts {

  private static final Logger LOG = LoggerFactory.getLogger(FlywayScripts.class);
  private static final String SUFFIX = ".sql";
  private static final String SEPARATOR = "__";

  /** A V or B file's version; {@code V1} and {@code V1.0} are one version, as in Flyway. */
  private record Versioned(char prefix, MigrationVersion version) {}

  private FlywayScripts() {}

  static void check(List<Path> locations) throws HistoryException {
    Map<Versioned, Path> versions = new HashMap<>();
    for (Path location : locations) {
      MigrationFiles.requireDirectory(location, "migrations location");
      for (Path file : sqlFiles(location)) {
        String name = file.getFileName().toString();
        String shown = location.relativize(file).toString();
        MigrationFiles.readUtf8(file, shown);
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
          throw new HistoryException(
              "two migrations have version " + key.version().getVersion() + ": " + other + " and "
                  + file + "; give one of them a new version (Flyway refuses duplicate versions)");
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

  /** Flyway scans filesystem locations recursively; so does this, in a stable order. */
  private static List<Path> sqlFiles(Path location) throws HistoryException {
    try (Stream<Path> files = Files.walk(location)) {
      List<Path> found = new ArrayList<>();
      files.filter(f -> f.getFileName().toString().endsWith(SUFFIX) && !Files.isDirectory(f))
          .sorted()
          .forEach(found::add);
      return found;
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new HistoryException("cannot list migrations location " + MigrationFiles.describe(location) + ": "
          + e.getMessage(), e);
    }
  }
}
