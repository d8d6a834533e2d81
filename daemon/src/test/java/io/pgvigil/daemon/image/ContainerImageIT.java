package io.pgvigil.daemon.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
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
import java.util.stream.Stream;
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
 * stage, with the jar this build packaged) on a local Java 17 image, run read-only as uid 10001 with
 * tmpfs data and temp directories, watching a PostgreSQL container on a private network. Skipped,
 * saying why, where Docker or the local images are missing (see ContainerBackend; nothing is pulled).
 */
@TestMethodOrder(OrderAnnotation.class)
class ContainerImageIT {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerImageIT.class);
  private static final String TAG = "pgvigil-it/pgvigil:local";
  /** The Java 17 runtimes the image may be built on, the one .ci/images makes first. */
  private static final List<String> RUNTIME_IMAGES = List.of("pgvigil-ci/jre:17", "eclipse-temurin:17-jre");
  private static final Path JAR = Path.of("target", "pgvigil.jar");
  private static final Path DOCKERFILE = Path.of("..", "helm", "Dockerfile");

  private static Network network;
  private static PostgreSQLContainer<?> postgres;
  private static GenericContainer<?> pgvigil;

  @BeforeAll
  static void startTheImage() throws Exception {
    Optional<DockerImageName> postgresImage = ContainerBackend.anyPostgresImage();
    assumeTrue(postgresImage.isPresent(), "skipped: no Docker engine with a local PostgreSQL image "
        + "(build them with .ci/images)");
    Optional<String> runtime = RUNTIME_IMAGES.stream().filter(ContainerBackend::hasLocalImage).findFirst();
    assumeTrue(runtime.isPresent(), "skipped: none of " + RUNTIME_IMAGES + " is present locally "
        + "(build pgvigil-ci/jre:17 with .ci/images)");
    assumeTrue(Files.isRegularFile(JAR), "skipped: " + JAR.toAbsolutePath() + " is missing (mvn package)");

    build(runtime.get());
    Path etc = configuration();

    network = Network.newNetwork();
    postgres = ContainerBackend.container(postgresImage.get()).withNetwork(network).withNetworkAliases("db")
        .withDatabaseName("app").withUsername("postgres").withPassword("postgres");
    postgres.start();
    migrate(etc.resolve("migrations"));

    pgvigil = new GenericContainer<>(DockerImageName.parse(TAG))
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
    String id = docker.buildImageCmd()
        .withBaseDirectory(context.toFile())
        .withDockerfile(context.resolve("Dockerfile").toFile())
        .withTarget("prebuilt")
        .withBuildArg("RUNTIME_IMAGE", runtime)
        .withBuildArg("VERSION", "it")
        .withBuildArg("REVISION", "it")
        .withPull(false)
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

  @AfterAll
  static void stopEverything() {
    Stream.of(pgvigil, postgres).filter(container -> container != null).forEach(GenericContainer::stop);
    if (network != null) {
      network.close();
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
