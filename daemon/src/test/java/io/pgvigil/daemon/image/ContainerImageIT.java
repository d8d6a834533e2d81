package io.pgvigil.daemon.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Volume;
import io.pgvigil.checks.testing.ContainerBackend;
import io.pgvigil.daemon.runtime.Http;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The container image as the chart runs it: built from {@code helm/Dockerfile} (its {@code prebuilt}
 * stage, with the jar this build packaged) on a local Java image, run read-only as uid 10001 with
 * tmpfs data and temp directories, watching a PostgreSQL container on a private network.
 *
 * <p>Unlike the other tests it waits (at most 10 minutes) for {@code PGVIGIL_TEST_IMAGES_MARKER}, the
 * file .ci/images writes when done, so that CI runs it even where the images are built while Maven
 * runs. Skipped, saying why, where Docker is missing or the marker says the images failed; failed
 * where the marker says they were built but they cannot be used. Nothing is pulled. The image it
 * builds (and the stages it left untagged) are removed afterwards.
 */
@TestMethodOrder(OrderAnnotation.class)
class ContainerImageIT {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerImageIT.class);
  private static final String TAG = "pgvigil-it/pgvigil:local";
  /**
   * The Java runtimes the image may be built on: .ci/images makes 21 (trixie has no 17; it runs the
   * Java 17 bytecode), 17 only with --all.
   */
  private static final List<String> RUNTIME_IMAGES =
      List.of("pgvigil-ci/jre:21", "pgvigil-ci/jre:17", "eclipse-temurin:17-jre");
  private static final Path JAR = Path.of("target", "pgvigil.jar");
  private static final Path DOCKERFILE = Path.of("..", "helm", "Dockerfile");

  private static Network network;
  private static PostgreSQLContainer<?> postgres;
  private static GenericContainer<?> pgvigil;
  /** The untagged images before this test built its own; null when it did not build. */
  private static Set<String> danglingBefore;

  @BeforeAll
  static void startTheImage() throws Exception {
    String images = awaitImages();
    assumeTrue(!images.startsWith("failed"), "skipped: .ci/images says " + images);
    Optional<String> runtime = RUNTIME_IMAGES.stream().filter(ContainerBackend::hasLocalImage).findFirst();
    Optional<DockerImageName> postgresImage = runtime.flatMap(found -> ContainerBackend.anyPostgresImage());
    if (images.equals("ok")) {
      assertThat(postgresImage).as(".ci/images says the images were built, but no local PostgreSQL image and "
          + "Java runtime can be used (see the backend line in the log)").isPresent();
    }
    assumeTrue(postgresImage.isPresent(), "skipped: no Docker engine with a local PostgreSQL image and one of "
        + RUNTIME_IMAGES + " (build them with .ci/images)");
    assumeTrue(Files.isRegularFile(JAR), "skipped: " + JAR.toAbsolutePath() + " is missing (mvn package)");

    build(runtime.get());
    Path etc = configuration();

    network = Network.newNetwork();
    postgres = ContainerBackend.container(postgresImage.get()).withNetwork(network).withNetworkAliases("db")
        .withDatabaseName("app").withUsername("postgres").withPassword("postgres");
    postgres.start();
    migrate(etc.resolve("migrations"));

    pgvigil = new GenericContainer<>(DockerImageName.parse(TAG))
        .withLabel(ContainerBackend.LABEL, "true")
        .withNetwork(network)
        .withExposedPorts(8080)
        // As the chart: a read-only root, the data directory and /tmp on writable (exec) mounts.
        .withTmpFs(Map.of("/var/lib/pgvigil", "rw,exec,uid=10001,gid=10001,size=1g", "/tmp", "rw,exec,size=256m"))
        // A plain bind: Testcontainers' withFileSystemBind first runs a probe container (alpine, pulled).
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true)
            .withBinds(new Bind(etc.toAbsolutePath().toString(), new Volume("/etc/pgvigil"), AccessMode.ro))
            .withCapDrop(Capability.ALL).withSecurityOpts(List.of("no-new-privileges")))
        .withLogConsumer(new Slf4jLogConsumer(LOG).withPrefix("pgvigil-container"))
        .waitingFor(Wait.forHttp("/readyz").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));
    pgvigil.start();
  }

  private static void build(String runtime) throws Exception {
    // A context of two files: the Dockerfile and the jar where the 'prebuilt' stage copies it from.
    Path context = Path.of("target", "image-context");
    Path jar = context.resolve("daemon/target/pgvigil.jar");
    Files.createDirectories(jar.getParent());
    Files.deleteIfExists(jar);
    Files.copy(JAR, jar);
    Files.copy(DOCKERFILE, context.resolve("Dockerfile"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    long start = System.nanoTime();
    DockerClient docker = DockerClientFactory.instance().client();
    danglingBefore = dangling(docker);
    String id = docker.buildImageCmd()
        .withBaseDirectory(context.toFile())
        .withDockerfile(context.resolve("Dockerfile").toFile())
        .withTarget("prebuilt")
        .withBuildArg("RUNTIME_IMAGE", runtime)
        .withBuildArg("VERSION", "it")
        .withBuildArg("REVISION", "it")
        .withPull(false)
        .withRemove(true)
        .withTags(Set.of(TAG))
        .exec(new BuildImageResultCallback())
        .awaitImageId(5, TimeUnit.MINUTES);
    LOG.info("built image {} ({}) from helm/Dockerfile, target prebuilt on {}, in {} ms", TAG, id, runtime,
        (System.nanoTime() - start) / 1_000_000);
  }

  private static Path configuration() throws Exception {
    Path etc = Files.createDirectories(Path.of("target", "container-it", "etc"));
    Path migrations = Files.createDirectories(etc.resolve("migrations"));
    Files.writeString(migrations.resolve("V1__accounts.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n");
    Files.writeString(etc.resolve("pgvigil.yaml"), """
        server: { listen: 0.0.0.0:8080 }
        targets:
          - name: app
            url: postgresql://postgres:postgres@db:5432/app
            migrations: { tool: flyway, locations: [/etc/pgvigil/migrations] }
        """);
    return etc;
  }

  private static void migrate(Path migrations) {
    FluentConfiguration flyway = Flyway.configure()
        .dataSource(postgres.getJdbcUrl(), postgres.getUsername(), postgres.getPassword())
        .locations("filesystem:" + migrations.toAbsolutePath());
    flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    flyway.load().migrate();
  }

  /**
   * The marker's first line ("ok" or "failed: ..."), waiting up to 10 minutes for it when .ci/run
   * names one; "absent" when none is named or it never came.
   */
  private static String awaitImages() throws Exception {
    String marker = System.getenv("PGVIGIL_TEST_IMAGES_MARKER");
    if (marker == null || marker.isBlank()) {
      return "absent";
    }
    Path path = Path.of(marker);
    long start = System.nanoTime();
    try {
      await().atMost(Duration.ofMinutes(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(2))
          .until(() -> Files.exists(path));
    } catch (ConditionTimeoutException e) {
      LOG.warn("no {} after 10 minutes", path);
      return "absent";
    }
    String said = Files.readAllLines(path).stream().findFirst().orElse("").trim();
    LOG.info("{} says '{}' (waited {} s)", path, said, (System.nanoTime() - start) / 1_000_000_000);
    return said;
  }

  /** The untagged images on the engine: the stages a build leaves behind. */
  private static Set<String> dangling(DockerClient docker) {
    return docker.listImagesCmd().withDanglingFilter(true).exec().stream().map(Image::getId)
        .collect(Collectors.toSet());
  }

  @AfterAll
  static void stopEverything() {
    Stream.of(pgvigil, postgres).filter(container -> container != null).forEach(GenericContainer::stop);
    if (network != null) {
      network.close();
    }
    if (danglingBefore != null) {
      // About 0.8 GB per run otherwise: the image and the unpacking stage this build left untagged.
      DockerClient docker = DockerClientFactory.instance().client();
      removeQuietly(docker, TAG);
      dangling(docker).stream().filter(id -> !danglingBefore.contains(id)).forEach(id -> removeQuietly(docker, id));
    }
  }

  private static void removeQuietly(DockerClient docker, String image) {
    try {
      docker.removeImageCmd(image).withForce(true).exec();
    } catch (RuntimeException e) {
      LOG.warn("could not remove image {}: {}", image, e.getMessage());
    }
  }

  @Test
  @Order(1)
  void runsAsUid10001OnAReadOnlyRoot() throws Exception {
    assertThat(pgvigil.execInContainer("id", "-u").getStdout().trim()).isEqualTo("10001");
    ExecResult write = pgvigil.execInContainer("touch", "/app/written");
    assertThat(write.getExitCode()).isNotZero();
    assertThat(write.getStderr()).contains("Read-only file system");
  }

  @Test
  @Order(2)
  void servesReadinessAndMetricsForTheTarget() {
    Http http = new Http(pgvigil.getMappedPort(8080));
    assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .until(() -> http.get("/metrics").body().contains("pgvigil_up{target=\"app\"} 1"));
  }

  @Test
  @Order(3)
  void driftInTheContainerReplaysTheHistoryIntoAnEmbeddedShadow() throws Exception {
    ExecResult drift = pgvigil.execInContainer("java", "-jar", "/app/pgvigil.jar", "drift", "--config",
        "/etc/pgvigil/pgvigil.yaml");

    assertThat(drift.getExitCode()).as("exit code; stderr:%n%s", drift.getStderr()).isZero();
    assertThat(drift.getStdout()).startsWith("app: ").contains("schema: matches the history");
    assertThat(drift.getStderr()).contains("expected schema: replay of 1 applied flyway migration");
    // The binaries came from the image's own layer, not unpacked into the data volume.
    assertThat(pgvigil.execInContainer("ls", "/var/lib/pgvigil").getStdout()).doesNotContain("postgres");
    assertThat(pgvigil.execInContainer("ls", "/opt/pgvigil/postgres").getStdout()).isNotBlank();
    // Root's, and usable by any uid the pod may run as, not only the 10001 that unpacked them.
    assertThat(pgvigil.execInContainer("sh", "-c", "stat -c '%u %a' /opt/pgvigil/postgres/*/bin/postgres")
        .getStdout()).startsWith("0 755");
  }

  @Test
  @Order(4)
  void sigtermStopsItWithExitCodeZero() {
    DockerClient docker = pgvigil.getDockerClient();
    String id = pgvigil.getContainerId();

    docker.stopContainerCmd(id).withTimeout(30).exec();

    Long exit = docker.inspectContainerCmd(id).exec().getState().getExitCodeLong();
    String logs = pgvigil.getLogs();
    assertThat(exit).as("exit code; logs:%n%s", logs).isZero();
    assertThat(logs).contains("SIGTERM received, shutting down").contains("stopped");
  }
}
