package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.testing.DaemonProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons as real processes in one cluster; the owner of the target is killed with SIGKILL
 * while an alert fires. The other owns the target within 2 × interval + connect time, and when
 * the condition clears each receiver hears one resolve and no second firing.
 */
@ExtendWith(PostgresExtension.class)
class KillNineIT {

  private static final Duration INTERVAL = Duration.ofMillis(500);
  private static final Duration CONNECT = Duration.ofSeconds(2);
  private static final Duration START = Duration.ofSeconds(120);

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>();
  private Backends backends;
  private Vertx vertx;
  private Receiver slack;
  private Receiver pagerduty;

  @BeforeEach
  void setUp(TestPostgres pg) throws Exception {
    Sql.execute(pg, "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
    backends = new Backends(pg);
    vertx = Vertx.vertx();
    slack = Receiver.start(vertx, 200);
    pagerduty = Receiver.start(vertx, 202);
  }

  @AfterEach
  void tearDown() throws Exception {
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    backends.close();
    slack.close();
    pagerduty.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theSurvivorOwnsTheTargetSoonAndResolvesTheAlertOnce(TestPostgres pg) throws Exception {
    int hzA = freePort();
    int hzB = freePort();
    int httpA = freePort();
    int httpB = freePort();
    String peers = "\"127.0.0.1:" + hzA + "\", \"127.0.0.1:" + hzB + "\"";
    Process a = start(pg, "a", httpA, hzA, peers);
    Process b = start(pg, "b", httpB, hzB, peers);
    Http apiA = new Http(httpA);
    Http apiB = new Http(httpB);
    await().atMost(START).ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .until(() -> ownedHere(apiA) != ownedHere(apiB) && members(apiA) && members(apiB));
    boolean aOwns = ownedHere(apiA);
    Process owner = aOwns ? a : b;
    Http survivor = aOwns ? apiB : apiA;

    LockStall stall = new LockStall(backends, "accounts").hold("UPDATE accounts SET balance = 1 WHERE id = 1")
        .migrate().queue(1).awaitQueued();
    await().atMost(Duration.ofSeconds(30)).until(() -> triggers() == 1 && slackFirings() == 1);

    long killed = System.nanoTime();
    owner.destroyForcibly();
    await().atMost(INTERVAL.multipliedBy(2).plus(CONNECT).plusSeconds(10)).pollInterval(Duration.ofMillis(20))
        .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> ownedHere(survivor));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    System.err.println("takeover after kill -9: " + takeover.toMillis() + " ms");
    assertThat(takeover).isLessThanOrEqualTo(INTERVAL.multipliedBy(2).plus(CONNECT));

    stall.clear();
    await().atMost(Duration.ofSeconds(30)).until(() -> resolves() == 1 && slackResolves() == 1);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> triggers() == 1 && resolves() == 1 && slackFirings() == 1 && slackResolves() == 1);
  }

  private Process start(TestPostgres pg, String name, int http, int hz, String peers) throws Exception {
    Process process = DaemonProcess.start(dir.resolve(name), """
        server:
          listen: 127.0.0.1:%d
          instance: %s
          cluster: { enabled: true, name: kill-nine-it, host: 127.0.0.1, port: %d, eventBusPort: 0, peers: [%s] }
        targets:
          - name: app
            url: "%s"
            connectTimeout: %ds
            watch: { interval: %dms, statementTimeout: 200ms }
        rules:
          lockWait: { warn: 1s, abort: 1h, for: 0s }
          lockQueue: { warn: 100, abort: 200 }
        alerts:
          slack: { webhookUrl: "%s" }
          pagerduty: { routingKey: kill-nine-key, url: "%s", severities: [warning, critical] }
        """.formatted(http, name, hz, peers, pg.uri(), CONNECT.toSeconds(), INTERVAL.toMillis(),
        slack.url() + "/services/kill-nine", pagerduty.url()));
    processes.add(process);
    return process;
  }

  private static boolean ownedHere(Http http) {
    return new JsonObject(http.get("/api/v1/targets").body()).getJsonArray("targets").getJsonObject(0)
        .getBoolean("ownedHere");
  }

  /** Both instances answer and agree on the owner: the cluster formed. */
  private static boolean members(Http http) {
    return new JsonObject(http.get("/api/v1/targets").body()).getJsonArray("targets").getJsonObject(0)
        .getString("owner") != null;
  }

  private long triggers() {
    return pagerduty.accepted().stream().map(Receiver.Request::json)
        .filter(e -> e.getString("event_action").equals("trigger")).count();
  }

  private long resolves() {
    return pagerduty.accepted().stream().map(Receiver.Request::json)
        .filter(e -> e.getString("event_action").equals("resolve")).count();
  }

  private long slackFirings() {
    return slack.accepted().stream().filter(r -> r.body().toString().contains("FIRING")).count();
  }

  private long slackResolves() {
    return slack.accepted().stream().filter(r -> r.body().toString().contains("RESOLVED")).count();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
