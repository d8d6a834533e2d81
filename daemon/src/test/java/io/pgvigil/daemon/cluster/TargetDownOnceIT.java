package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target that is down has no owner: of two clustered instances, one (the cluster's lowest
 * member) speaks for it, so its targetDown alert is sent once and the dead-man switch of a window
 * open on it fires its hook once, not once per instance.
 */
class TargetDownOnceIT {

  @TempDir
  Path dir;

  @Test
  void twoInstancesSendOneTargetDownAlertAndFireTheDeadManSwitchOnce() throws Exception {
    int closedPort = freePort();
    int portA = freePort();
    int portB = freePort();
    String peers = "\"127.0.0.1:" + portA + "\", \"127.0.0.1:" + portB + "\"";
    Vertx vertx = Vertx.vertx();
    try (Receiver webhook = Receiver.start(vertx, 200); Receiver hook = Receiver.start(vertx, 200)) {
      try (RunningDaemon a = daemon("a", portA, peers, closedPort, webhook, hook);
          RunningDaemon b = daemon("b", portB, peers, closedPort, webhook, hook)) {
        var opened = new Http(b.port()).post("/api/v1/windows", "down-token",
            "{\"target\":\"app\",\"ttl\":\"10m\",\"label\":\"deploy\"}");
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> hook.accepted().size() >= 1);
        // The target-down alert waits 30 s; then one instance sends it, and nobody sends it again.
        await().atMost(Duration.ofSeconds(90)).until(() -> firings(webhook) >= 1);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
            .until(() -> firings(webhook) == 1 && hook.accepted().size() == 1);
        assertThat(hook.accepted().get(0).json().getString("rule")).isEqualTo("deadMan");
        assertThat(a.targets().find("app").orElseThrow().monitor().status().owned()).isFalse();
        assertThat(b.targets().find("app").orElseThrow().monitor().status().owned()).isFalse();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private RunningDaemon daemon(String name, int port, String peers, int closedPort, Receiver webhook,
      Receiver hook) throws Exception {
    return TestDaemon.watching("app", "postgresql://pgvigil@127.0.0.1:" + closedPort + "/app?sslmode=disable")
        .settings("connectTimeout: 1s")
        .watch("interval: 250ms, statementTimeout: 200ms")
        .server("apiToken: down-token, instance: " + name
            + ", cluster: { enabled: true, name: target-down-it, host: 127.0.0.1, port: "
            + port + ", eventBusPort: 0, peers: [" + peers + "] }")
        .with("""
            killSwitch:
              mode: cancel
              deadMan: { after: 2s }
              hooks: [{ webhook: "%s" }]
            alerts:
              spool: { directory: ./spool }
              webhooks: [{ name: ci, url: "%s" }]
            """.formatted(hook.url(), webhook.url()))
        .in(Files.createDirectories(dir.resolve(name))).start();
  }

  private static long firings(Receiver webhook) {
    return webhook.accepted().stream().map(Receiver.Request::json)
        .flatMap(n -> n.getJsonArray("alerts").stream().map(JsonObject.class::cast))
        .filter(x -> x.getString("rule").equals("targetDown") && x.getString("status").equals("firing")).count();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
