package io.pgvigil.checks.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.utility.DockerImageName;

/** Which PostgreSQL the fixtures start, and where: the one place that reads the test system properties. */
public final class TestServers {

  private static final Logger LOG = LoggerFactory.getLogger(TestServers.class);

  /** The major to test against: {@code -Dpgvigil.test.pg=14..18}, default 17. */
  public static final String MAJOR_PROPERTY = "pgvigil.test.pg";
  /**
   * {@code auto} (default: Testcontainers where Docker answers and has a local image of the major, else
   * embedded), {@code embedded} or {@code testcontainers}.
   */
  public static final String BACKEND_PROPERTY = "pgvigil.test.backend";
  static final List<Integer> MAJORS = List.of(14, 15, 16, 17, 18);

  private TestServers() {}

  public static int major() {
    String value = System.getProperty(MAJOR_PROPERTY, "17").trim();
    try {
      int major = Integer.parseInt(value);
      if (MAJORS.contains(major)) {
        return major;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("system property " + MAJOR_PROPERTY + " must be one of " + MAJORS
        + " but was '" + value + "'");
  }

  /** Where the embedded fixtures extract the PostgreSQL bundles, shared by runs: {@code <java.io.tmpdir>/pgvigil-postgres}. */
  public static Path binariesCache() {
    return Path.of(System.getProperty("java.io.tmpdir"), "pgvigil-postgres");
  }

  /**
   * An embedded server of a given major, whatever {@code pgvigil.test.pg} says: for tests that
   * must show something holds on more than one major in the same run.
   */
  public static OwnedTestPostgres startEmbedded(int major, String name) throws IOException {
    OwnedTestPostgres server = EmbeddedTestPostgres.start(major, name);
    LOG.info("test PostgreSQL: {}", server);
    return server;
  }

  /** Another supported major than {@link #major()}, for the same-run "and on another major" tests. */
  public static int otherMajor() {
    return major() == 16 ? 17 : 16;
  }

  /**
   * Starts a server for one test class (named for its logs) on the configured backend: with
   * {@code auto}, a container where {@link ContainerBackend} found a local image of the major, else embedded.
   */
  public static OwnedTestPostgres start(String name) throws IOException {
    int major = major();
    String backend = System.getProperty(BACKEND_PROPERTY, "auto").trim();
    Optional<DockerImageName> image = switch (backend) {
      case "auto" -> ContainerBackend.image(major);
      case "testcontainers" -> Optional.of(ContainerBackend.image(major).orElseThrow(() -> new IllegalStateException(
          BACKEND_PROPERTY + "=testcontainers but no Docker engine with a local PostgreSQL " + major
              + " image (pgvigil-ci/postgres:" + major + " from .ci/images, or postgres:" + major + ") answers")));
      case "embedded" -> Optional.empty();
      default -> throw new IllegalArgumentException("system property " + BACKEND_PROPERTY
          + " must be auto, embedded or testcontainers but was '" + backend + "'");
    };
    OwnedTestPostgres server = image.isPresent()
        ? ContainerTestPostgres.start(image.get(), major)
        : EmbeddedTestPostgres.start(major, name);
    LOG.info("test PostgreSQL: {}", server);
    return server;
  }
}
