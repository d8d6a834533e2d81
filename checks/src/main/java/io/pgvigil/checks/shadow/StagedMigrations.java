package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The applied Flyway scripts copied into a scratch directory as {@code V1__…}, {@code V2__…}, in
 * the order live applied them, so that a plain Flyway migrate of that directory runs exactly
 * those, in that order, each with its {@code .sql.conf}: Flyway's own resolver would also pick up
 * files live never ran (an ignored lower version) and would sort by version. Each copy keeps its
 * original name in its description ({@code V3__V2_5__add_phone.sql}), and failures are reported
 * under the original name. SQL callbacks ({@code afterMigrate.sql}, …) are copied as they are,
 * since a migrate of the original locations runs them too.
 */
final class StagedMigrations implements AutoCloseable {

  private final Path directory;
  private final Map<String, String> originals = new HashMap<>();
  private int staged;

  private StagedMigrations(Path directory) {
    this.directory = directory;
  }

  /**
   * Stages {@code scripts} (paths relative to a location of {@code source}); a script found in no
   * location is skipped: it is applied but gone, which history drift reports. Only SQL migrations
   * are staged, as a migrate of filesystem locations runs only those.
   */
  static StagedMigrations of(MigrationSource.Flyway source, List<String> scripts) throws ReplayException {
    for (Path location : source.locations()) {
      if (!Files.isDirectory(location)) {
        throw ReplayException.general("cannot replay the Flyway history: migrations location " + location
            + " is not a directory", null);
      }
    }
    StagedMigrations staged;
    try {
      staged = new StagedMigrations(Files.createTempDirectory("pgvigil-replay-"));
    } catch (IOException e) {
      throw ReplayException.general("cannot replay the Flyway history: no scratch directory (" + e + ")", e);
    }
    try {
      for (String script : scripts) {
        Path file = source.find(script);
        if (file != null && file.getFileName().toString().endsWith(".sql")) {
          staged.add(script, file);
        }
      }
      staged.callbacks(source);
      return staged;
    } catch (IOException | UncheckedIOException e) {
      staged.close();
      throw ReplayException.general("cannot replay the Flyway history: copying the migration files failed ("
          + e + ")", e);
    }
  }

  /** The directory to give Flyway as its only location. */
  Path directory() {
    return directory;
  }

  /** The original script of a staged file name or relative path; the name itself when not staged. */
  String original(String stagedName) {
    if (stagedName == null) {
      return null;
    }
    String name = Path.of(stagedName).getFileName().toString();
    return originals.getOrDefault(name, stagedName);
  }

  private void add(String script, Path file) throws IOException {
    staged++;
    String name = file.getFileName().toString();
    String stagedName = "V" + staged + "__" + name.substring(0, name.length() - ".sql".length()) + ".sql";
    Files.copy(file, directory.resolve(stagedName));
    Path conf = file.resolveSibling(name + ".conf");
    if (Files.isRegularFile(conf)) {
      Files.copy(conf, directory.resolve(stagedName + ".conf"));
    }
    originals.put(stagedName, script);
  }

  /** Callback files keep their names, one subdirectory per location. */
  private void callbacks(MigrationSource.Flyway source) throws IOException {
    int n = 0;
    for (Path location : source.locations()) {
      Path target = directory.resolve("callbacks-" + n++);
      for (Path file : MigrationSource.Flyway.callbackFiles(location)) {
        Path copy = target.resolve(location.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy);
      }
    }
  }

  @Override
  public void close() {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A scratch directory left behind in the temp directory harms nothing.
    }
  }
}
