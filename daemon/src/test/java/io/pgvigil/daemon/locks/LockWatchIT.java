package io.pgvigil.daemon.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.Backends.Backend;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
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
    Sql.execute(pg,
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g",
        "CREATE ROLE watcher LOGIN IN ROLE pg_monitor");
    String watcher = "postgresql://watcher@%s:%d/%s".formatted(pg.host(), pg.port(), pg.database());
    try (RunningDaemon daemon = TestDaemon.watching("app", watcher)
        .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms, redactLiterals: true").start();
        Backends backends = new Backends(pg)) {
      Http http = new Http(daemon.port());
      LockStall stall = new LockStall(backends, "accounts")
          .hold("UPDATE accounts SET balance = balance + 100 WHERE id = 1").migrate().queue(READERS);
      int holderPid = stall.holder().pid();
      int alterPid = stall.alter().pid();
      Connection holder = stall.holder().connection();

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
    }
  }

  @Test
  void statementLiteralsStayOutOfTheApiUnlessTheConfigTurnsRedactionOff(TestPostgres pg) throws Exception {
    String card = "CARD-4111111111111111";
    Sql.execute(pg, "CREATE TABLE payments (id int PRIMARY KEY, card text)", "INSERT INTO payments VALUES (1, NULL)");
    String watch = "interval: 250ms, statementTimeout: 200ms";
    try (RunningDaemon byDefault = TestDaemon.watching(pg).watch(watch).start();
        // Another deployment, not another replica of this one: its own name, so it owns the target too.
        RunningDaemon optedOut = TestDaemon.watching(pg).watch(watch + ", redactLiterals: false")
            .server("cluster: { name: redaction-off }").start();
        Backends backends = new Backends(pg)) {
      // The holder's last statement and the waiter's both carry the card number.
      Backend holder = backends.open("app-holder", false);
      Backends.execute(holder, "SELECT id, '" + card + "' AS card FROM payments WHERE id = 1 FOR UPDATE");
      backends.start(backends.open("app-waiter", true), "UPDATE payments SET card = '" + card + "' WHERE id = 1");

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
      holder.connection().rollback();
    }
  }
}
