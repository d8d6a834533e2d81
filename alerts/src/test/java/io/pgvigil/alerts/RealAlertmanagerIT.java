package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.common.SecretValue;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Posts to a real Alertmanager (Debian package prometheus-alertmanager) and reads the alert back
 * through its own {@code GET /api/v2/alerts}. Skipped when the binary is not installed; set
 * {@code PGVIGIL_ALERTMANAGER} to point at another binary.
 */
class RealAlertmanagerIT {

  private Process alertmanager;
  private Path workDir;

  static Optional<Path> binary() {
    String override = System.getenv("PGVIGIL_ALERTMANAGER");
    if (override != null && !override.isBlank()) {
      return Optional.of(Path.of(override)).filter(Files::isExecutable);
    }
    Stream<Path> candidates = Stream.of(Path.of("/usr/bin/prometheus-alertmanager"));
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        candidates = Stream.concat(candidates, Stream.of(Path.of(d, "prometheus-alertmanager"),
            Path.of(d, "alertmanager")));
      }
    }
    return candidates.filter(Files::isExecutable).findFirst();
  }

  @BeforeEach
  void startAlertmanager() throws Exception {
    Optional<Path> bin = binary();
    Assumptions.assumeTrue(bin.isPresent(), "prometheus-alertmanager is not installed");
    workDir = Files.createDirectories(Path.of("target", "alertmanager-it"))
        .toAbsolutePath();
    Files.createDirectories(workDir.resolve("data"));
    Path config = workDir.resolve("alertmanager.yml");
    Files.writeString(config, "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    alertmanager = new ProcessBuilder(bin.get().toString(),
        "--config.file=" + config,
        "--storage.path=" + workDir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--cluster.listen-address=") // empty: no gossip port, a single instance
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("alertmanager.log").toFile())
        .start();
    this.port = port;
  }

  private int port;

  @AfterEach
  void stopAlertmanager() throws Exception {
    if (alertmanager != null) {
      alertmanager.destroy();
      alertmanager.onExit().get();
    }
  }

  @Test
  void aPostedAlertCanBeReadBackFromAlertmanager() throws Exception {
    try (Fixture fx = new Fixture()) {
      String url = "http://127.0.0.1:" + port;
      await().atMost(Duration.ofSeconds(20)).until(() -> ready(fx, url));
      // Alertmanager compares endsAt with its own wall clock: use the real one here.
      AlertmanagerSink sink = new AlertmanagerSink("alertmanager", fx.client, Clock.systemUTC(),
          SecretValue.of(url), null, "http://pgvigil.example:8080", Duration.ofMinutes(15),
          Duration.ofSeconds(5));
      Alert alert = Fixture.lockAlert("app", "public.orders", Severity.CRITICAL,
          Clock.systemUTC().instant().minusSeconds(30));
      Notification n = new Notification(1, "n1", "alertmanager", alert.startsAt(),
          List.of(alert));
      await(sink.send(List.of(n)));

      JsonArray alerts = await(fx.client.getAbs(url + "/api/v2/alerts").send()
          .map(HttpResponse::bodyAsJsonArray));
      assertThat(alerts).hasSize(1);
      JsonObject got = alerts.getJsonObject(0);
      assertThat(got.getJsonObject("labels").getMap()).containsEntry("alertname", "lockWait")
          .containsEntry("target", "app").containsEntry("rule", "lockWait")
          .containsEntry("severity", "critical").containsEntry("object", "public.orders");
      assertThat(got.getJsonObject("annotations").getString("summary"))
          .isEqualTo(alert.summary());
      assertThat(got.getJsonObject("status").getString("state")).isEqualTo("active");
      assertThat(got.getString("generatorURL"))
          .isEqualTo("http://pgvigil.example:8080/#/targets/app/locks");

      Alert resolved = alert.resolvedAt(Clock.systemUTC().instant());
      await(sink.send(List.of(new Notification(2, "n2", "alertmanager", resolved.endsAt(),
          List.of(resolved)))));
      JsonArray active = await(fx.client.getAbs(url + "/api/v2/alerts?active=true&silenced=true"
          + "&inhibited=true&unprocessed=true").send().map(HttpResponse::bodyAsJsonArray));
      assertThat(active).isEmpty();
    }
  }

  private static boolean ready(Fixture fx, String url) {
    try {
      HttpResponse<Buffer> r = await(fx.client.getAbs(url + "/-/ready").send());
      return r.statusCode() == 200;
    } catch (Exception notYet) {
      return false;
    }
  }
}
