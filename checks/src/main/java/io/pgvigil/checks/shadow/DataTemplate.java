package io.pgvigil.checks.shadow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A copy of a cleanly stopped PostgreSQL data directory ({@code <dir>/data}) and the list of its files with their
 * sizes ({@code <dir>/files}), from which a new cluster is made by copying. Copies, never hard links: PostgreSQL
 * writes to its files in place, so a link would let one cluster change another. The list makes a copy from a
 * template that lost or truncated a file fail, rather than start a cluster that answers wrongly.
 */
record DataTemplate(Path dir) {

  private static final String DATA = "data";
  private static final String FILES = "files";

  /** Copies the stopped cluster {@code source} into {@code dir/data} and lists its files. */
  static DataTemplate save(Path source, Path dir) throws IOException {
    Path data = dir.resolve(DATA);
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path from : walk.toList()) {
        String relative = source.relativize(from).toString();
        if (relative.equals("postmaster.pid")) {
          continue; // gone after a clean stop; never copy a live server's
        }
        Path to = data.resolve(relative);
        // COPY_ATTRIBUTES keeps the modes: PostgreSQL refuses a data directory others may read.
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        if (Files.isRegularFile(from)) {
          files.add(Files.size(to) + " " + relative);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Files.write(dir.resolve(FILES), files, StandardCharsets.UTF_8);
    return new DataTemplate(dir);
  }

  /** Whether the template was completely written: its file list is the last thing written. */
  boolean complete() {
    return Files.isRegularFile(dir.resolve(FILES)) && Files.isRegularFile(dir.resolve(DATA).resolve("PG_VERSION"));
  }

  /** Makes {@code target} (absent) a copy; fails when a listed file is missing or has another size. */
  void copyTo(Path target) throws IOException {
    Path data = dir.resolve(DATA);
    List<String> listed = Files.readAllLines(dir.resolve(FILES), StandardCharsets.UTF_8);
    int copied = 0;
    try (Stream<Path> walk = Files.walk(data)) {
      for (Path from : walk.toList()) {
        Path to = target.resolve(data.relativize(from).toString());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        copied += Files.isRegularFile(to) ? 1 : 0;
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (String line : listed) {
      int space = line.indexOf(' ');
      Path copy = target.resolve(line.substring(space + 1));
      if (!Files.isRegularFile(copy) || Files.size(copy) != Long.parseLong(line.substring(0, space))) {
        throw new IOException("its file " + line.substring(space + 1) + " is missing or has another size");
      }
    }
    if (copied != listed.size()) {
      throw new IOException("it holds " + copied + " files where " + listed.size() + " were saved");
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
