package io.pgvigil.checks.testing;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Which PostgreSQL majors the fixtures run in a container, decided once per JVM before Testcontainers
 * is touched: a major gets a container only if a Docker engine answers and an image of that major is
 * already present on it ({@code pgvigil-ci/postgres:<major>}, made by {@code .ci/images}, else
 * {@code postgres:<major>}), and Testcontainers' reaper is off ({@code TESTCONTAINERS_RYUK_DISABLED=true},
 * as the build sets it) or its image is present too. Nothing is ever pulled: a test machine without a
 * registry would otherwise spend two minutes per image and test class in pull retries.
 *
 * <p>The decision does not wait for images still being built ({@code .ci/run} builds them while Maven
 * runs): a JVM uses what exists when it starts. With {@code PGVIGIL_TEST_IMAGES_MARKER} and {@code
 * PGVIGIL_TEST_IMAGES_WAIT} (seconds, default 0) both set, it first waits for the marker that long.
 *
 * <p>Only a local socket is supported (DOCKER_HOST {@code unix://}, else the docker.host of
 * {@code ~/.testcontainers.properties}, else the usual sockets): an engine over TCP or TLS, or any
 * error while deciding, means embedded servers, with the reason logged.
 */
public final class ContainerBackend {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerBackend.class);

  static final String MARKER_ENV = "PGVIGIL_TEST_IMAGES_MARKER";
  static final String WAIT_ENV = "PGVIGIL_TEST_IMAGES_WAIT";
  static final String LOCAL_REPOSITORY = "pgvigil-ci/postgres";
  /** On every container the fixtures start, so that .ci/run removes only ours when a killed JVM left them. */
  public static final String LABEL = "pgvigil.test";
  /** The reaper image Testcontainers 1.21.4 starts unless TESTCONTAINERS_RYUK_DISABLED is true. */
  static final String RYUK_IMAGE = "testcontainers/ryuk:0.12.0";
  /**
   * The image Testcontainers 1.21.4 runs to find the engine's gateway address when the tests run
   * inside a container themselves and TESTCONTAINERS_HOST_OVERRIDE does not name the host.
   */
  static final String GATEWAY_PROBE_IMAGE = "alpine:3.17";

  /** Whether an image is present on the engine; throws when the engine does not answer. */
  interface Engine {
    boolean hasImage(String image) throws IOException;
  }

  /** The images per major (absent majors run embedded) and, when none, why. */
  record Decision(Map<Integer, DockerImageName> images, String reason) {

    Optional<DockerImageName> image(int major) {
      return Optional.ofNullable(images.get(major));
    }

    String describe(List<Integer> majors) {
      List<Integer> embedded = majors.stream().filter(major -> !images.containsKey(major)).toList();
      if (images.isEmpty()) {
        return "embedded for every major (" + reason + ")";
      }
      String containers = images.entrySet().stream()
          .map(entry -> entry.getKey() + " (" + entry.getValue().asCanonicalNameString() + ")")
          .collect(Collectors.joining(", "));
      return "testcontainers for " + containers
          + (embedded.isEmpty() ? "" : ", embedded for " + join(embedded) + " (no local image)");
    }
  }

  private ContainerBackend() {}

  /** The image for this major, or empty for the embedded server. */
  public static Optional<DockerImageName> image(int major) {
    return Once.DECISION.image(major);
  }

  /**
   * A PostgreSQLContainer for one of the images {@link #image} chose. The images .ci/images makes
   * log "ready to accept connections" once (no temporary init server), where the official image,
   * and so PostgreSQLContainer's default wait, counts two.
   */
  @SuppressWarnings("resource") // the caller's
  public static PostgreSQLContainer<?> container(DockerImageName image) {
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>(image).withLabel(LABEL, "true");
    if (image.getRepository().startsWith("pgvigil-ci/")) {
      container.waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\s", 1)
          .withStartupTimeout(Duration.ofSeconds(60)));
    }
    return container;
  }

  /** A local PostgreSQL image of any major, the default major's first; empty where containers are not usable. */
  public static Optional<DockerImageName> anyPostgresImage() {
    return image(TestServers.major()).or(() -> Once.DECISION.images().values().stream().findFirst());
  }

  /**
   * Whether containers are usable here (see the class comment) and this image is present locally,
   * for tests that start other containers and must not pull.
   */
  public static boolean hasLocalImage(String image) {
    if (Once.DECISION.images().isEmpty()) {
      return false;
    }
    try {
      return new HttpEngine(endpoint().orElseThrow()).hasImage(image);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The initialisation-on-demand holder: the decision is made on first use and never again. */
  private static final class Once {
    static final Decision DECISION = decideForThisMachine();
  }

  private static Decision decideForThisMachine() {
    Decision decision;
    try {
      awaitImagesMarker();
      decision = endpoint()
          .map(host -> "unix".equals(host.getScheme())
              ? decide(new HttpEngine(host), TestServers.MAJORS,
                  "true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED")), needsGatewayProbe(host))
              : new Decision(Map.of(), "the Docker endpoint " + host + " is not a local unix socket, which is all "
                  + "these fixtures support"))
          .orElseGet(() -> new Decision(Map.of(), "no Docker endpoint"));
    } catch (RuntimeException | LinkageError e) {
      // Thrown out of the holder's initialiser it would be a NoClassDefFoundError in every later test.
      decision = new Decision(Map.of(), "cannot decide: " + e);
    }
    LOG.info("test PostgreSQL backend: {}", decision.describe(TestServers.MAJORS));
    return decision;
  }

  static Decision decide(Engine engine, List<Integer> majors, boolean ryukDisabled, boolean gatewayProbe) {
    try {
      if (!ryukDisabled && !engine.hasImage(RYUK_IMAGE)) {
        return new Decision(Map.of(), "TESTCONTAINERS_RYUK_DISABLED is not true and " + RYUK_IMAGE
            + " is not present locally");
      }
      if (gatewayProbe && !engine.hasImage(GATEWAY_PROBE_IMAGE)) {
        return new Decision(Map.of(), "inside a container without TESTCONTAINERS_HOST_OVERRIDE, and "
            + GATEWAY_PROBE_IMAGE + " is not present locally");
      }
      Map<Integer, DockerImageName> images = new LinkedHashMap<>();
      for (int major : majors) {
        for (String candidate : List.of(LOCAL_REPOSITORY + ":" + major, "postgres:" + major)) {
          if (engine.hasImage(candidate)) {
            images.put(major, DockerImageName.parse(candidate).asCompatibleSubstituteFor("postgres"));
            break;
          }
        }
      }
      return new Decision(Collections.unmodifiableMap(images), images.isEmpty() ? "no local PostgreSQL image" : "");
    } catch (IOException | RuntimeException e) {
      return new Decision(Map.of(), "Docker does not answer: " + e.getMessage());
    }
  }

  private static void awaitImagesMarker() {
    String marker = System.getenv(MARKER_ENV);
    long seconds = waitSeconds(System.getenv(WAIT_ENV));
    if (marker == null || marker.isBlank() || seconds == 0 || Files.exists(Path.of(marker))) {
      return;
    }
    LOG.info("waiting up to {} s for the test images ({} written by .ci/images)", seconds, marker);
    try {
      await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofSeconds(1))
          .until(() -> Files.exists(Path.of(marker)));
    } catch (ConditionTimeoutException e) {
      LOG.warn("no {} after {} s: deciding with the images present now", marker, seconds);
    }
  }

  /** PGVIGIL_TEST_IMAGES_WAIT in seconds: 0 when unset, negative or not a number (said so). */
  static long waitSeconds(String configured) {
    if (configured == null || configured.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(configured.trim()));
    } catch (NumberFormatException e) {
      LOG.warn("{}='{}' is not a number of seconds: not waiting for the test images", WAIT_ENV, configured);
      return 0;
    }
  }

  /** Whether Testcontainers would run a container to learn which address reaches the engine's ports. */
  private static boolean needsGatewayProbe(URI host) {
    String override = System.getenv("TESTCONTAINERS_HOST_OVERRIDE");
    return "unix".equals(host.getScheme()) && (override == null || override.isBlank())
        && Files.exists(Path.of("/.dockerenv"));
  }

  /** DOCKER_HOST, else the first Docker socket that exists, as Testcontainers would find it. */
  private static Optional<URI> endpoint() {
    String configured = System.getenv("DOCKER_HOST");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(URI.create(configured.trim()));
    }
    Path home = Path.of(System.getProperty("user.home"));
    Optional<String> fromProperties = testcontainersDockerHost(home.resolve(".testcontainers.properties"));
    if (fromProperties.isPresent()) {
      return fromProperties.map(URI::create);
    }
    List<Path> sockets = new ArrayList<>(List.of(Path.of("/var/run/docker.sock"),
        home.resolve(".docker/run/docker.sock"), home.resolve(".docker/desktop/docker.sock"),
        home.resolve(".colima/default/docker.sock"), home.resolve(".rd/docker.sock")));
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    if (runtime != null) {
      sockets.add(Path.of(runtime, "docker.sock"));
    }
    return sockets.stream().filter(Files::exists).findFirst().map(socket -> URI.create("unix://" + socket));
  }

  /** The docker.host Testcontainers reads from its properties file when DOCKER_HOST is not set. */
  private static Optional<String> testcontainersDockerHost(Path properties) {
    if (!Files.isRegularFile(properties)) {
      return Optional.empty();
    }
    Properties loaded = new Properties();
    try (Reader reader = Files.newBufferedReader(properties)) {
      loaded.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Optional.ofNullable(loaded.getProperty("docker.host")).map(String::trim).filter(host -> !host.isEmpty());
  }

  private static String join(List<Integer> majors) {
    return majors.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  /** The engine's HTTP API ({@code GET /images/{name}/json}), through docker-java's transport. */
  private record HttpEngine(URI host) implements Engine {

    @Override
    public boolean hasImage(String image) throws IOException {
      try (DockerHttpClient client = new ZerodepDockerHttpClient.Builder().dockerHost(host)
          .connectionTimeout(Duration.ofSeconds(3)).responseTimeout(Duration.ofSeconds(10)).build();
          DockerHttpClient.Response response = client.execute(DockerHttpClient.Request.builder()
              .method(DockerHttpClient.Request.Method.GET).path("/images/" + image + "/json").build())) {
        int status = response.getStatusCode();
        if (status == 200 || status == 404) {
          return status == 200;
        }
        throw new IOException("GET /images/" + image + "/json answered " + status);
      }
    }
  }
}
