package io.pgvigil.checks.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpacks every bundled PostgreSQL major into a directory, as an embedded server would on first use:
 * {@code java -cp pgvigil.jar io.pgvigil.checks.embedded.UnpackBundles DIR}. The container image
 * does it at build time into a layer of its own and points {@code PGVIGIL_POSTGRES_DIR} at it, so
 * the first shadow starts without unpacking 60 MB per major into the data volume.
 */
public final class UnpackBundles {

  private static final Logger LOG = LoggerFactory.getLogger(UnpackBundles.class);

  private UnpackBundles() {}

  /** Unpacks into {@code cache}, one {@code <version>} directory per major; returns them. */
  public static List<Path> into(Path cache) throws IOException {
    List<Path> unpacked = new java.util.ArrayList<>();
    for (int major : PostgresBundle.bundledMajors()) {
      unpacked.add(PostgresBundle.of(major).install(cache));
    }
    return List.copyOf(unpacked);
  }

  /**
   * {@code preferred} when it holds every bundled major usable by this user, or when this user can
   * write into it (the missing majors are unpacked there on first use); else {@code fallback}, saying
   * so once. The image's {@code PGVIGIL_POSTGRES_DIR} is read-only at run time: binaries another uid
   * cannot read (an image built before they were made world-readable) must not stop the shadow.
   */
  public static Path usableOr(Path preferred, Path fallback) {
    boolean complete = PostgresBundle.bundledMajors().stream()
        .allMatch(major -> PostgresBundle.of(major).installedIn(preferred));
    if (complete || writable(preferred)) {
      return preferred;
    }
    LOG.warn("the PostgreSQL binaries in {} are missing or not usable by this user and it is not writable: "
        + "unpacking them under {} instead", preferred, fallback);
    return fallback;
  }

  /** Whether a file can be made in {@code dir} (made first if missing): permissions alone lie to root. */
  private static boolean writable(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, ".pgvigil-write-", ""));
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
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
