package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.testing.ProcessCluster;
import io.pgvigil.daemon.testing.ProcessCluster.Member;
import io.pgvigil.daemon.testing.Receivers;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
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

  private Backends backends;
  private Receivers receivers;
  private Receiver slack;
  private Receiver pagerduty;
  private ProcessCluster cluster;

  @BeforeEach
  void setUp(TestPostgres pg) throws Exception {
    Sql.execute(pg, "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
    backends = new Backends(pg);
    receivers = new Receivers();
    slack = receivers.webhook();
    pagerduty = receivers.pagerduty();
    cluster = new ProcessCluster(dir, "kill-nine-it", 2);
  }

  @AfterEach
  void tearDown() throws Exception {
    try (Receivers r = receivers; ProcessCluster c = cluster) {
      backends.close();
    }
  }

  @Test
  void theSurvivorOwnsTheTargetSoonAndResolvesTheAlertOnce(TestPostgres pg) throws Exception {
    start(pg, "a");
    start(pg, "b");
    Member owner = cluster.awaitOwner("app", START);
    Member survivor = cluster.members().stream().filter(m -> m != owner).findFirst().orElseThrow();

    LockStall stall = new LockStall(backends, "accounts").hold("UPDATE accounts SET balance = 1 WHERE id = 1")
        .migrate().queue(1).awaitQueued();
    await().atMost(Duration.ofSeconds(30)).until(() -> triggers() == 1 && slackFirings() == 1);

    long killed = System.nanoTime();
    owner.process().destroyForcibly();
    await().atMost(INTERVAL.multipliedBy(2).plus(CONNECT).plusSeconds(10)).pollInterval(Duration.ofMillis(20))
        .ignoreExceptionsInstanceOf(UncheckedIOException.class).until(() -> survivor.ownedHere("app"));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
    System.err.println("takeover after kill -9: " + takeover.toMillis() + " ms");
    assertThat(takeover).isLessThanOrEqualTo(INTERVAL.multipliedBy(2).plus(CONNECT));

    stall.clear();
    await().atMost(Duration.ofSeconds(30)).until(() -> resolves() == 1 && slackResolves() == 1);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
        .until(() -> triggers() == 1 && resolves() == 1 && slackFirings() == 1 && slackResolves() == 1);
  }

  private void start(TestPostgres pg, String name) throws Exception {
    cluster.start(name, "", """
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
        """.formatted(pg.uri(), CONNECT.toSeconds(), INTERVAL.toMillis(), slack.url() + "/services/kill-nine",
        pagerduty.url()));
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
}
