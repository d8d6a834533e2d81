package io.pgvigil.daemon.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Flyway migrate opens a window by itself while it runs (seen through
 * Flyway's advisory lock), recording the backend running the migration, and
 * the window closes when the migration ends.
 */
@ExtendWith(PostgresExtension.class)
class AutoWindowIT {

  /** The migration waits on this advisory lock, held by the test, so it is caught mid-run. */
  private static final long GATE = 4242;

  @TempDir
  Path dir;

  @Test
  void aRunningFlywayMigrationOpensAndClosesAWindow(TestPostgres pg) throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__accounts.sql"),
        "SELECT pg_advisory_xact_lock_shared(" + GATE + ");\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n");
    try (RunningDaemon daemon = TestDaemon.watching(pg)
        .watch("interval: 250ms, windowInterval: 100ms, statementTimeout: 200ms").in(dir).start();
        Connection gate = pg.connect();
        Statement s = gate.createStatement()) {
      Http http = new Http(daemon.port());
      s.execute("SELECT pg_advisory_lock(" + GATE + ")");
      FluentConfiguration flyway = Flyway.configure().dataSource(pg.jdbcUrl(), null, null)
          .locations("filesystem:" + migrations);
      CompletableFuture<Void> migrate = CompletableFuture.runAsync(() -> flyway.load().migrate());
      try {
        await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
            "pgvigil_migration_window_active{target=\"app\"}") == 1.0);
        JsonObject window = new JsonObject(http.get("/api/v1/windows").body()).getJsonArray("windows").getJsonObject(0);
        assertThat(window.getString("source")).isEqualTo("auto");
        assertThat(window.getString("tool")).isEqualTo("flyway");
        assertThat(window.getInteger("backendPid")).isNotNull();
        assertThat(window.getString("backendStart")).isNotNull();
      } finally {
        s.execute("SELECT pg_advisory_unlock(" + GATE + ")");
        migrate.get(30, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_migration_window_active{target=\"app\"}") == 0.0);
      JsonObject closed = new JsonObject(http.get("/api/v1/windows").body()).getJsonArray("windows").getJsonObject(0);
      assertThat(closed.getString("closeReason")).isEqualTo("migration ended");
    }
  }

  @Test
  void aSessionWithAConfiguredApplicationNameOpensAWindow(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = TestDaemon.watching(pg).watch(
        "interval: 250ms, windowInterval: 100ms, statementTimeout: 200ms, migrationApplicationNames: [\"deploy-%\"]")
        .in(dir).start()) {
      Http http = new Http(daemon.port());
      try (Connection deploy = java.sql.DriverManager.getConnection(pg.jdbcUrl() + "&ApplicationName=deploy-42");
          Statement s = deploy.createStatement()) {
        deploy.setAutoCommit(false);
        s.execute("SELECT 1");
        await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
            "pgvigil_migration_window_active{target=\"app\"}") == 1.0);
        JsonObject window = new JsonObject(http.get("/api/v1/windows").body()).getJsonArray("windows").getJsonObject(0);
        assertThat(window.getString("tool")).isEqualTo("application");
        deploy.rollback();
      }
      await().atMost(Duration.ofSeconds(15)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_migration_window_active{target=\"app\"}") == 0.0);
    }
  }
}
