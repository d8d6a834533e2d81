package io.pgvigil.daemon.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.runtime.TestStorage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The classic migration stall, watched by the daemon as a pg_monitor-only role:
 * an idle transaction holds a row lock, an ALTER TABLE waits behind it, readers
 * queue behind the ALTER. The API shows the tree and the queue, the metrics the
 * numbers.
 */
@ExtendWith(PostgresExtension.class)
class LockWatchIT {

  private static final int READERS = 3;

  @Test
  void theDaemonSeesTheStallTheRootBlockerAndTheQueue(TestPostgres pg) throws Exception {
    try (Connection setup = pg.connect(); Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)");
      s.execute("INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g");
      s.execute("CREATE ROLE watcher LOGIN IN ROLE pg_monitor");
    }
    var config = new ConfigLoader(Map.of()).parse("""
        server: { listen: 127.0.0.1:0 }
        targets:
          - name: app
            url: postgresql://watcher@%s:%d/%s
            watch: { interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms, redactLiterals: true }
        """.formatted(pg.host(), pg.port(), pg.database()), Path.of("."));
    ExecutorService blocked = Executors.newCachedThreadPool();
    List<Connection> sessions = new ArrayList<>();
    try (RunningDaemon daemon = RunningDaemon.start(config, TestStorage.storage(),
        Duration.ofSeconds(1), Clock.systemUTC())) {
      Http http = new Http(daemon.port());
      Connection holder = open(pg, sessions);
      int holderPid = pid(holder);
      holder.setAutoCommit(false);
      holder.createStatement().execute("UPDATE accounts SET balance = balance + 100 WHERE id = 1");
      Connection alter = open(pg, sessions);
      int alterPid = pid(alter);
      blocked.submit(() -> alter.createStatement().execute("ALTER TABLE accounts ADD COLUMN note text"));
      for (int i = 0; i < READERS; i++) {
        Connection reader = open(pg, sessions);
        blocked.submit(() -> reader.createStatement().executeQuery("SELECT * FROM accounts WHERE id = 1"));
      }

      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        JsonObject locks = new JsonObject(http.get("/api/v1/targets/app/locks").body());
        JsonArray queues = locks.getJsonArray("queues");
        assertThat(queues).isNotNull().hasSize(1);
        assertThat(queues.getJsonObject(0).getInteger("depth")).isEqualTo(READERS);
      });
      JsonObject locks = new JsonObject(http.get("/api/v1/targets/app/locks").body());
      JsonObject tree = locks.getJsonArray("trees").getJsonObject(0);
      assertThat(tree.getJsonObject("root").getInteger("pid")).isEqualTo(holderPid);
      assertThat(tree.getJsonObject("root").getString("query")).contains("balance + ?").doesNotContain("100");
      JsonObject queue = locks.getJsonArray("queues").getJsonObject(0);
      assertThat(queue.getInteger("pid")).isEqualTo(alterPid);
      assertThat(queue.getString("mode")).isEqualTo("AccessExclusiveLock");
      assertThat(queue.getString("relation")).isEqualTo("public.accounts");
      double firstCost = queue.getDouble("costSeconds");
      await().atMost(Duration.ofSeconds(10)).until(() -> new JsonObject(http.get("/api/v1/targets/app/locks").body())
          .getJsonArray("queues").getJsonObject(0).getDouble("costSeconds") > firstCost);

      String metrics = http.get("/metrics").body();
      assertThat(Http.sample(metrics, "pgvigil_lock_waiting_sessions{target=\"app\"}")).isEqualTo(1.0 + READERS);
      assertThat(Http.sample(metrics, "pgvigil_lock_queue_depth_max{target=\"app\"}")).isEqualTo(READERS);
      assertThat(Http.sample(metrics, "pgvigil_lock_wait_max_seconds{target=\"app\"}")).isGreaterThan(0.0);
      assertThat(Http.sample(metrics, "pgvigil_idle_in_transaction_max_seconds{target=\"app\"}")).isGreaterThan(0.0);
      assertThat(Http.sample(metrics, "pgvigil_ddl_max_duration_seconds{target=\"app\"}")).isGreaterThan(0.0);
      assertThat(metrics).doesNotContain("pid=");

      holder.rollback();
      await().atMost(Duration.ofSeconds(10)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_lock_waiting_sessions{target=\"app\"}") == 0.0);
    } finally {
      for (Connection c : sessions) {
        c.close();
      }
      blocked.shutdownNow();
    }
  }

  @Test
  void statementLiteralsStayOutOfTheApiUnlessTheConfigTurnsRedactionOff(TestPostgres pg) throws Exception {
    String card = "CARD-4111111111111111";
    try (Connection setup = pg.connect(); Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE payments (id int PRIMARY KEY, card text)");
      s.execute("INSERT INTO payments VALUES (1, NULL)");
    }
    String yaml = """
        server: { listen: 127.0.0.1:0 }
        targets:
          - name: app
            url: "%s"
            watch: { interval: 250ms, statementTimeout: 200ms%s }
        """;
    var redacted = new ConfigLoader(Map.of()).parse(yaml.formatted(pg.uri(), ""), Path.of("."));
    var shown = new ConfigLoader(Map.of()).parse(yaml.formatted(pg.uri(), ", redactLiterals: false"), Path.of("."));
    ExecutorService blocked = Executors.newCachedThreadPool();
    List<Connection> sessions = new ArrayList<>();
    try (RunningDaemon byDefault = RunningDaemon.start(redacted, TestStorage.storage(),
            Duration.ofSeconds(1), Clock.systemUTC());
        RunningDaemon optedOut = RunningDaemon.start(shown, TestStorage.storage(),
            Duration.ofSeconds(1), Clock.systemUTC())) {
      // The holder's last statement and the waiter's both carry the card number.
      Connection holder = open(pg, sessions);
      holder.setAutoCommit(false);
      holder.createStatement().execute("SELECT id, '" + card + "' AS card FROM payments WHERE id = 1 FOR UPDATE");
      Connection waiter = open(pg, sessions);
      blocked.submit(() -> waiter.createStatement().execute(
          "UPDATE payments SET card = '" + card + "' WHERE id = 1"));

      Http defaultApi = new Http(byDefault.port());
      Http optedOutApi = new Http(optedOut.port());
      for (Http http : List.of(defaultApi, optedOutApi)) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
          JsonArray trees = new JsonObject(http.get("/api/v1/targets/app/locks").body()).getJsonArray("trees");
          return trees != null && !trees.isEmpty();
        });
      }
      String locks = defaultApi.get("/api/v1/targets/app/locks").body();
      JsonObject tree = new JsonObject(locks).getJsonArray("trees").getJsonObject(0);
      assertThat(tree.getJsonObject("root").getString("query")).contains("SELECT id, ? AS card");
      assertThat(locks).doesNotContain("4111111111111111");

      assertThat(optedOutApi.get("/api/v1/targets/app/locks").body()).contains(card);
      holder.rollback();
    } finally {
      for (Connection c : sessions) {
        c.close();
      }
      blocked.shutdownNow();
    }
  }

  private static Connection open(TestPostgres pg, List<Connection> sessions) throws Exception {
    Connection c = pg.connect();
    sessions.add(c);
    return c;
  }

  private static int pid(Connection c) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
