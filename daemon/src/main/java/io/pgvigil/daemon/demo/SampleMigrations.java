package io.pgvigil.daemon.demo;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The demo's sample application schema: a small shop's Flyway migrations, bundled as resources and copied to a real
 * directory so the demo (and the person watching it) can edit them like files in a repository.
 */
final class SampleMigrations {

  private static final String RESOURCE_DIR = "/demo/db/migration";

  private SampleMigrations() {}

  static List<Path> copyTo(Path target) throws IOException {
    URL url = SampleMigrations.class.getResource(RESOURCE_DIR);
    if (url == null) {
      throw new IOException("the sample migrations are missing from this build (" + RESOURCE_DIR + ")");
    }
    Files.createDirectories(target);
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IOException("cannot read the bundled sample migrations: " + e.getMessage(), e);
    }
    if ("jar".equals(uri.getScheme())) {
      try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
        return copyAll(jar.getPath(RESOURCE_DIR), target);
      }
    }
    return copyAll(Path.of(uri), target);
  }

  private static List<Path> copyAll(Path source, Path target) throws IOException {
    List<Path> copied = new ArrayList<>();
    try (Stream<Path> files = Files.list(source)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".sql")).sorted().toList()) {
        Path destination = target.resolve(file.getFileName().toString());
        Files.copy(file, destination);
        copied.add(destination);
      }
    }
    return copied;
  }
}
