package io.pgvigil.daemon.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.locks.LockWatchCheck;
import io.pgvigil.daemon.testing.TestDaemon;
import io.pgvigil.daemon.watch.TargetMonitor;
import io.pgvigil.daemon.watch.TargetStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a target costs its database: at rest two sessions (the ownership lock's and the one the
 * checks share), and a drift run's catalog snapshot on connections of its own, so that the lock
 * watch still polls while a snapshot waits.
 */
@ExtendWith(PostgresExtension.class)
class TargetConnectionsIT {

  private static final String TOKEN = "connections-token";

  @TempDir
  Path repo;

  @Test
  void aTargetAtRestHoldsTwoConnectionsAndTheLockWatchPollsWhileDriftWaits(TestPostgres pg) throws Exception {
    Path migrations = Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__orders.sql"), """
        CREATE TABLE orders (id bigint PRIMARY KEY, paid boolean NOT NULL DEFAULT false);
        CREATE VIEW paid_orders AS SELECT id FROM orders WHERE paid;
        """);
    Demo.migrate(pg.jdbcUrl(), migrations);
    // A long statement timeout (and lock timeout): the snapshot below waits that long for its lock.
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("apiToken: " + TOKEN)
        .settings("migrations: { tool: flyway, locations: [./db/migration] }, drift: { interval: 1h }")
        .watch("interval: 10s, statementTimeout: 8s").in(repo).start()) {
      Http http = new Http(daemon.port());
      TargetMonitor monitor = daemon.targets().find("app").orElseThrow().monitor();
      await().atMost(Duration.ofSeconds(60)).until(() -> runs(monitor.status(), "drift") >= 1
          && runs(monitor.status(), LockWatchCheck.NAME) >= 1);
      // At rest (no check in flight matters: they share one connection).
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20))
          .until(() -> sessions(pg) > 0 && sessions(pg) <= 2);
      assertThat(sessions(pg)).isEqualTo(2);

      // pg_get_viewdef() locks the tables a view reads: the drift snapshot waits for this transaction.
      try (Connection migration = pg.connect(); Statement s = migration.createStatement()) {
        migration.setAutoCommit(false);
        s.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
        CompletableFuture<String> drift = CompletableFuture.supplyAsync(
            () -> http.post("/api/v1/targets/app/drift", TOKEN).body());
        await().atMost(Duration.ofSeconds(5)).failFast(drift::isDone).until(() -> waitingOnLock(pg) >= 1);
        long before = runs(monitor.status(), LockWatchCheck.NAME);
        monitor.runNow(LockWatchCheck.NAME).await(3, TimeUnit.SECONDS);
        assertThat(runs(monitor.status(), LockWatchCheck.NAME)).isGreaterThan(before);
        assertThat(waitingOnLock(pg)).as("the snapshot still waits").isPositive();
        // The run's own connections come on top of the two, for the run only.
        assertThat(sessions(pg)).isBetween(3, 4);
        migration.rollback();
        assertThat(drift.get(20, TimeUnit.SECONDS)).contains("\"status\"");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> sessions(pg) == 2);
    }
  }

  private static long runs(TargetStatus status, String check) {
    return status.checks().stream().filter(c -> c.check().equals(check)).findFirst().orElseThrow().runs();
  }

  /** pgvigil's sessions on the target's database. */
  private static int sessions(TestPostgres pg) throws Exception {
    return Integer.parseInt(Sql.query(pg, "SELECT count(*) FROM pg_stat_activity"
        + " WHERE application_name = 'pgvigil' AND datname = current_database()"));
  }

  private static int waitingOnLock(TestPostgres pg) throws Exception {
    return Integer.parseInt(Sql.query(pg, "SELECT count(*) FROM pg_stat_activity"
        + " WHERE application_name = 'pgvigil' AND datname = current_database() AND wait_event_type = 'Lock'"));
  }
}
