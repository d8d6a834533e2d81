package io.pgvigil.checks.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deleting a directory tree and reading a log's tail: the file chores of the launcher. */
public final class FileTrees {

  private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);

  private FileTrees() {}

  /** Deletes a tree, children first; a tree that is already gone is fine. */
  static void delete(Path root) throws IOException {
    if (root == null || !Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // A server that is still shutting down may create a file while we walk; retry a few times.
    for (int attempt = 1;; attempt++) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(path);
        }
        return;
      } catch (DirectoryNotEmptyException | NoSuchFileException | UncheckedIOException e) {
        if (attempt == 5) {
          throw e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
        }
      }
    }
  }

  public static void deleteQuietly(Path root) {
    try {
      delete(root);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot delete the scratch directory {}", root, e);
    }
  }

  /** The last lines of a log file, for error messages; empty if there is no log. */
  static String tail(Path log, int lines) {
    if (log == null || !Files.isReadable(log)) {
      return "(no server log at " + log + ")";
    }
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }
}
