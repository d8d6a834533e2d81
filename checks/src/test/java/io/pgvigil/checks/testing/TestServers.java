package io.pgvigil.checks.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/** Which PostgreSQL the fixtures start, and where: the one place that reads the test system properties. */
public final class TestServers {

  private static final Logger LOG = LoggerFactory.getLogger(TestServers.class);

  /** The major to test against: {@code -Dpgvigil.test.pg=14..18}, default 17. */
  public static final String MAJOR_PROPERTY = "pgvigil.test.pg";
  /** {@code auto} (default: Testcontainers if Docker answers, else embedded), {@code embedded} or {@code testcontainers}. */
  public static final String BACKEND_PROPERTY = "pgvigil.test.backend";
  private static final List<Integer> MAJORS = List.of(14, 15, 16, 17, 18);

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

  /** Starts a server for one test class (named for its logs) on the configured backend. */
  public static OwnedTestPostgres start(String name) throws IOException {
    int major = major();
    String backend = System.getProperty(BACKEND_PROPERTY, "auto").trim();
    boolean containers = switch (backend) {
      case "auto" -> dockerAvailable();
      case "testcontainers" -> true;
      case "embedded" -> false;
      default -> throw new IllegalArgumentException("system property " + BACKEND_PROPERTY
          + " must be auto, embedded or testcontainers but was '" + backend + "'");
    };
    OwnedTestPostgres server = containers
        ? ContainerTestPostgres.start(major)
        : EmbeddedTestPostgres.start(major, name);
    LOG.info("test PostgreSQL: {}", server);
    return server;
  }

  /**
   * Asks Testcontainers only when a Docker endpoint is plausible: without one, its detection logs
   * a failure (with stack traces) for every strategy it tries, which buries the test output.
   */
  private static boolean dockerAvailable() {
    if (!dockerEndpointPlausible()) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static boolean dockerEndpointPlausible() {
    if (System.getenv("DOCKER_HOST") != null) {
      return true;
    }
    Path home = Path.of(System.getProperty("user.home"));
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    List<Path> sockets = new java.util.ArrayList<>(List.of(Path.of("/var/run/docker.sock"),
        home.resolve(".docker/run/docker.sock"), home.resolve(".docker/desktop/docker.sock"),
        home.resolve(".colima/default/docker.sock"), home.resolve(".rd/docker.sock")));
    if (runtime != null) {
      sockets.add(Path.of(runtime, "docker.sock"));
      sockets.add(Path.of(runtime, "podman", "podman.sock"));
    }
    return sockets.stream().anyMatch(Files::exists) || configuredInTestcontainersProperties(home);
  }

  private static boolean configuredInTestcontainersProperties(Path home) {
    Path file = home.resolve(".testcontainers.properties");
    if (!Files.isReadable(file)) {
      return false;
    }
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      return false;
    }
    return properties.containsKey("docker.host") || properties.containsKey("docker.client.strategy");
  }
}
