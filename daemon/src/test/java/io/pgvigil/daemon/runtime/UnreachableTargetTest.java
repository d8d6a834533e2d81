package io.pgvigil.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.daemon.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The daemon with a target whose database is not there: it must start, serve, and say so. */
class UnreachableTargetTest {

  private RunningDaemon daemon;
  private Http http;

  @BeforeEach
  void start() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    var config = new ConfigLoader(Map.of()).parse("""
        server: { listen: 127.0.0.1:0 }
        targets:
          - name: nowhere
            url: postgresql://pgvigil@127.0.0.1:%d/app?sslmode=disable
            connectTimeout: 1s
            watch: { interval: 100ms, windowInterval: 100ms, statementTimeout: 50ms }
        """.formatted(closedPort), Path.of("."), "config");
    daemon = RunningDaemon.start(config, TestStorage.storage(), Duration.ofSeconds(1), Clock.systemUTC());
    http = new Http(daemon.port());
  }

  @AfterEach
  void stop() throws Exception {
    daemon.close();
  }

  @Test
  void startsServesAndReportsTheTargetDown() {
    assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10))
        // On a loaded machine one request can time out: that is not what this test is about.
        .ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .until(() -> http.get("/readyz").statusCode() == 200);

    JsonObject target = new JsonObject(http.get("/api/v1/targets").body())
        .getJsonArray("targets").getJsonObject(0);
    assertThat(target.getString("name")).isEqualTo("nowhere");
    assertThat(target.getBoolean("up")).isFalse();
    assertThat(target.getValue("server")).isNull();
    JsonObject heartbeat = target.getJsonArray("checks").getJsonObject(0);
    assertThat(heartbeat.getString("name")).isEqualTo("server");
    assertThat(heartbeat.getString("lastError")).contains("cannot connect");

    String metrics = http.get("/metrics").body();
    assertThat(Http.sample(metrics, "pgvigil_up{target=\"nowhere\"}")).isEqualTo(0.0);
    assertThat(Http.sample(metrics,
        "pgvigil_check_errors_total{check=\"server\",target=\"nowhere\"}")).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void unknownPathsAndTargetsAnswerJsonErrors() {
    var missing = http.get("/api/v1/nothing");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(missing.body()).getString("error")).contains("/api/v1/nothing");

    var noTarget = http.get("/api/v1/targets/other");
    assertThat(noTarget.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(noTarget.body()).getString("error")).contains("other");
  }

  @Test
  void mutatingEndpointsAreDisabledWithoutAnApiToken() {
    var response = http.post("/api/v1/targets/nowhere/drift", null);
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(response.body()).getString("error")).contains("server.apiToken");
  }

  @Test
  void driftOfATargetWithoutMigrationsIsNotFound() {
    var response = http.get("/api/v1/targets/nowhere/drift");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getString("error")).contains("no migrations configured");
  }

  @Test
  void metricsIncludeJvmAndProcessMeters() {
    String metrics = http.get("/metrics").body();
    assertThat(metrics).contains("jvm_memory_used_bytes").contains("process_uptime_seconds")
        .contains("# HELP pgvigil_up ");
  }
}
