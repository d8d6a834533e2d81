package io.pgvigil.checks.testing;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A test server in a container of a local PostgreSQL image ({@link ContainerBackend} chose it). Its host port is fixed when the container
 * is created, so that {@link #stop()} and {@link #start()} (the container, not re-created) keep it.
 */
final class ContainerTestPostgres implements OwnedTestPostgres {

  private static final int POSTGRES_PORT = 5432;

  private final PostgreSQLContainer<?> container;
  private final int major;
  private final int hostPort;

  private ContainerTestPostgres(PostgreSQLContainer<?> container, int major, int hostPort) {
    this.container = container;
    this.major = major;
    this.hostPort = hostPort;
  }

  @SuppressWarnings("resource") // closed by close()
  static ContainerTestPostgres start(DockerImageName image, int major) throws IOException {
    int hostPort = freePort();
    PostgreSQLContainer<?> container = ContainerBackend.container(image)
        .withDatabaseName(EmbeddedTestPostgres.DATABASE)
        .withUsername("postgres")
        .withPassword("postgres")
        // As the embedded server: trust (no SCRAM round trips per connection; tests open hundreds)
        // and no durability the tests do not need.
        .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
        .withCommand("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
        .withCreateContainerCmdModifier(cmd -> {
          HostConfig hostConfig = cmd.getHostConfig() == null ? new HostConfig() : cmd.getHostConfig();
          // On the loopback interface only: a trust-authenticated superuser must not be reachable from the network.
          cmd.withHostConfig(hostConfig.withPortBindings(new PortBinding(
              Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), ExposedPort.tcp(POSTGRES_PORT))));
        });
    try {
      container.start();
    } catch (RuntimeException e) {
      // A container created but not started (a wait that timed out, a port taken) is removed, not left behind.
      container.close();
      throw e;
    }
    return new ContainerTestPostgres(container, major, hostPort);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return hostPort;
  }

  @Override
  public String database() {
    return container.getDatabaseName();
  }

  @Override
  public String user() {
    return container.getUsername();
  }

  @Override
  public String password() {
    return container.getPassword();
  }

  @Override
  public int major() {
    return major;
  }

  @Override
  public String backend() {
    return "testcontainers";
  }

  @Override
  public void stop() {
    try {
      container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
    } catch (NotModifiedException alreadyStopped) {
      // as the embedded server: stopping a stopped server is not an error
    }
  }

  @Override
  public void start() {
    try {
      container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    } catch (NotModifiedException alreadyRunning) {
      // as the embedded server: starting a running server is not an error (a test's finally may restart it)
    }
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
      try (Connection connection = DriverManager.getConnection(jdbcUrl())) {
        return connection.isValid(2);
      }
    });
  }

  @Override
  public void close() {
    container.close();
  }

  @Override
  public String toString() {
    return "testcontainers " + container.getDockerImageName() + " on " + host() + ":" + port();
  }
}
