package io.pgvigil.checks.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Unpacks every bundled PostgreSQL major into a directory, as an embedded server would on first use:
 * {@code java -cp pgvigil.jar io.pgvigil.checks.embedded.UnpackBundles DIR}. The container image
 * does it at build time into a layer of its own and points {@code PGVIGIL_POSTGRES_DIR} at it, so
 * the first shadow starts without unpacking 60 MB per major into the data volume.
 */
public final class UnpackBundles {

  private UnpackBundles() {}

  /** Unpacks into {@code cache}, one {@code <version>} directory per major; returns them. */
  public static List<Path> into(Path cache) throws IOException {
    List<Path> unpacked = new java.util.ArrayList<>();
    for (int major : PostgresBundle.bundledMajors()) {
      unpacked.add(PostgresBundle.of(major).install(cache));
    }
    return List.copyOf(unpacked);
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: java -cp pgvigil.jar " + UnpackBundles.class.getName() + " DIR");
      System.exit(1);
    }
    try {
      for (Path path : into(Path.of(args[0]))) {
        System.err.println("unpacked " + path);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("cannot unpack the PostgreSQL bundles into " + args[0] + ": " + e.getMessage());
      System.exit(1);
    }
  }
}
