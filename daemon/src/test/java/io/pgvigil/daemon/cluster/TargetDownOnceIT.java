package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TcpProxy;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target that is down has no owner: of two clustered instances, one (the cluster's lowest
 * member) speaks for it, so its targetDown alert is sent once and the dead-man switch of a window
 * open on it fires its hook once, not once per instance. When it is back, the alert resolves once:
 * the instance that takes the target adopts and resolves it, and the one that fired it, seeing the
 * target back later, does not resolve it again.
 */
@ExtendWith(PostgresExtension.class)
class TargetDownOnceIT {

  @TempDir
  Path dir;

  @Test
  void twoInstancesSendOneTargetDownAlertFireTheDeadManSwitchOnceAndResolveOnce(TestPostgres pg)
      throws Exception {
    int portA = freePort();
    int portB = freePort();
    String peers = "\"127.0.0.1:" + portA + "\", \"127.0.0.1:" + portB + "\"";
    Vertx vertx = Vertx.vertx();
    // Each instance reaches the database through its own proxy, which refuses until the test says.
    try (Receiver webhook = Receiver.start(vertx, 200);
        Receiver hook = Receiver.start(vertx, 200);
        TcpProxy toA = TcpProxy.start(vertx, pg.host(), pg.port());
        TcpProxy toB = TcpProxy.start(vertx, pg.host(), pg.port())) {
      toA.refuse();
      toB.refuse();
      try (RunningDaemon a = daemon("a", portA, peers, url(pg, toA), webhook, hook);
          RunningDaemon b = daemon("b", portB, peers, url(pg, toB), webhook, hook)) {
        var opened = new Http(b.port()).post("/api/v1/windows", "down-token",
            "{\"target\":\"app\",\"ttl\":\"10m\",\"label\":\"deploy\"}");
        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> hook.accepted().size() >= 1);
        // The target-down alert waits 30 s; then one instance sends it, and nobody sends it again.
        await().atMost(Duration.ofSeconds(90)).until(() -> count(webhook, "firing") >= 1);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
            .until(() -> count(webhook, "firing") == 1 && hook.accepted().size() == 1);
        assertThat(hook.accepted().get(0).json().getString("rule")).isEqualTo("deadMan");
        assertThat(owned(a)).isFalse();
        assertThat(owned(b)).isFalse();

        // The instance that did not fire it sees the target first: it takes it, adopts the alert and
        // resolves it. Then the one that fired it sees the target back too.
        boolean aFired = firingHere(a);
        assertThat(aFired).isNotEqualTo(firingHere(b));
        RunningDaemon firer = aFired ? a : b;
        RunningDaemon other = aFired ? b : a;
        (aFired ? toB : toA).forward();
        await().atMost(Duration.ofSeconds(20)).until(() -> owned(other) && count(webhook, "resolved") >= 1);
        (aFired ? toA : toB).forward();
        await().atMost(Duration.ofSeconds(20)).until(() -> firer.targets().find("app").orElseThrow().monitor()
            .status().up());
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
            .until(() -> count(webhook, "resolved") == 1);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private RunningDaemon daemon(String name, int port, String peers, String url, Receiver webhook,
      Receiver hook) throws Exception {
    return TestDaemon.watching("app", url)
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

  private static String url(TestPostgres pg, TcpProxy proxy) {
    return pg.uri().replace("@" + pg.host() + ":" + pg.port() + "/", "@127.0.0.1:" + proxy.port() + "/");
  }

  private static boolean owned(RunningDaemon d) {
    return d.targets().find("app").orElseThrow().monitor().status().owned();
  }

  /** Whether this instance's own engine fires the alert (the API lists the cluster's). */
  private static boolean firingHere(RunningDaemon d) {
    return Http.sample(new Http(d.port()).get("/metrics").body(),
        "pgvigil_alerts_firing{rule=\"targetDown\",target=\"app\"}") == 1.0;
  }

  private static long count(Receiver webhook, String status) {
    return webhook.accepted().stream().map(Receiver.Request::json)
        .flatMap(n -> n.getJsonArray("alerts").stream().map(JsonObject.class::cast))
        .filter(x -> x.getString("rule").equals("targetDown") && x.getString("status").equals(status)).count();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
