package io.pgvigil.helm;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real OCI registry on loopback, plain HTTP, no auth: CNCF distribution as Debian packages it
 * ({@code apt-get install docker-registry}). Its storage, config and log are under {@code dir}. The test is skipped
 * when the binary is not there; {@code PGVIGIL_DOCKER_REGISTRY} names another one.
 */
final class OciRegistry implements AutoCloseable {

  private static final Path DEFAULT_BINARY = Path.of("/usr/bin/docker-registry");
  /** The registry logs the address it bound: port 0 in the config, so no other process can take it first. */
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Process process;
  private final Path log;
  private final Thread stopAtExit;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  /** Set once from Awaitility's polling thread. */
  private volatile int port;

  private OciRegistry(Process process, Path log) {
    this.process = process;
    this.log = log;
    // A JVM ended early (Ctrl-C, Surefire's timeout) must not leave the registry running.
    this.stopAtExit = new Thread(process::destroyForcibly, "stop-oci-registry");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /** Starts the registry with fresh storage under {@code dir} and waits until {@code GET /v2/} answers 200. */
  static OciRegistry start(Path dir) throws IOException {
    String override = System.getenv("PGVIGIL_DOCKER_REGISTRY");
    Path binary = override == null || override.isBlank() ? DEFAULT_BINARY : Path.of(override);
    assumeTrue(Files.isExecutable(binary),
        binary + " is not installed (Debian: apt-get install docker-registry; PGVIGIL_DOCKER_REGISTRY names another)");

    delete(dir);
    Path storage = Files.createDirectories(dir.resolve("storage")).toAbsolutePath();
    Path config = dir.resolve("config.yml");
    Files.writeString(config, """
        version: 0.1
        log:
          level: info
        storage:
          filesystem:
            rootdirectory: "%s"
        http:
          addr: 127.0.0.1:0
        """.formatted(storage));
    Path log = dir.resolve("registry.log");
    Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    OciRegistry registry = new OciRegistry(process, log);
    try {
      registry.awaitReady();
      return registry;
    } catch (RuntimeException | Error e) {
      registry.close();
      throw e;
    }
  }

  private void awaitReady() {
    await("docker-registry answering GET /v2/ (its log: " + log + ")")
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .failFast("docker-registry exited", () -> {
          if (!process.isAlive()) {
            fail("docker-registry exited with " + process.exitValue() + "; its log:\n" + Files.readString(log));
          }
        })
        .until(() -> {
          if (port == 0) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (!m.find()) {
              return false;
            }
            port = Integer.parseInt(m.group(1));
          }
          try {
            return get("/v2/", Map.of()).statusCode() == 200;
          } catch (IOException notYet) {
            return false;
          }
        });
  }

  /** {@code 127.0.0.1:port}, as an OCI reference's host. */
  String host() {
    return "127.0.0.1:" + port;
  }

  HttpResponse<byte[]> get(String path, Map<String, String> headers) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host() + path)).timeout(TIMEOUT);
    headers.forEach(request::header);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: GET " + path, e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().removeShutdownHook(stopAtExit);
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
