package io.pgvigil.checks.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory turned into the layout the kubelet gives a ConfigMap volume: the files in a hidden
 * {@code ..<timestamp>/} directory, a {@code ..data} link to it, and a top-level link per key (or per
 * first path component of an {@code items:} path such as {@code <name>/migration.sql}) into
 * {@code ..data}.
 */
public final class ConfigMapVolume {

  public static final String TIMESTAMP_DIR = "..2026_12_02_16_00_00.123456789";

  /** Moves what {@code dir} holds into the ConfigMap layout, in place. */
  public static void mount(Path dir) throws IOException {
    List<Path> entries;
    try (Stream<Path> list = Files.list(dir)) {
      entries = list.sorted().toList();
    }
    Path real = Files.createDirectory(dir.resolve(TIMESTAMP_DIR));
    for (Path entry : entries) {
      Files.move(entry, real.resolve(entry.getFileName()));
    }
    Files.createSymbolicLink(dir.resolve("..data"), Path.of(TIMESTAMP_DIR));
    for (Path entry : entries) {
      Files.createSymbolicLink(entry, Path.of("..data").resolve(entry.getFileName()));
    }
  }

  private ConfigMapVolume() {}
}
