package io.pgvigil.daemon.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Structural drift through the daemon: the same history gives no finding, a
 * hand-made index is one finding with its severity (API and metrics), and
 * while Flyway holds its lock the previous verdict is kept, marked stale.
 */
@ExtendWith(PostgresExtension.class)
class StructuralDriftIT {

  private static final String TOKEN = "structural-token";

  @TempDir
  Path repo;

  @Test
  void findsAHandMadeIndexAndKeepsTheVerdictWhileAMigrationRuns(TestPostgres pg) throws Exception {
    Path migrations = Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__orders.sql"), """
        CREATE TYPE order_state AS ENUM ('new', 'paid');
        CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                             state order_state NOT NULL DEFAULT 'new',
                             placed_at timestamptz NOT NULL DEFAULT now());
        CREATE VIEW paid_orders AS SELECT id, placed_at FROM orders WHERE state = 'paid';
        """);
    Demo.migrate(pg.jdbcUrl(), migrations);
    try (RunningDaemon daemon = TestDaemon.watching(pg).server("apiToken: " + TOKEN)
        .settings("migrations: { tool: flyway, locations: [./db/migration] }, drift: { interval: 1h }")
        .in(repo).start()) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        JsonObject report = new JsonObject(http.get("/api/v1/targets/app/drift").body());
        assertThat(report.getString("status")).as(report.encode()).isEqualTo("clean");
        assertThat(report.getJsonObject("structure").getJsonArray("findings")).isEmpty();
      });

      Sql.execute(pg, "CREATE INDEX orders_placed_at_idx ON orders (placed_at)");
      JsonObject drift = new JsonObject(http.post("/api/v1/targets/app/drift", TOKEN).body());
      assertThat(drift.getString("status")).isEqualTo("drift");
      JsonArray findings = drift.getJsonObject("structure").getJsonArray("findings");
      assertThat(findings).hasSize(1);
      JsonObject finding = findings.getJsonObject(0);
      assertThat(finding.getString("object")).isEqualTo("public.orders_placed_at_idx");
      assertThat(finding.getString("change")).isEqualTo("unexpected");
      assertThat(finding.getString("severity")).isEqualTo("performance");
      assertThat(finding.getString("suggestedSql")).contains("DROP INDEX CONCURRENTLY");
      assertThat(drift.getJsonObject("structure").getBoolean("cached")).isTrue();
      String metrics = http.get("/metrics").body();
      assertThat(Http.sample(metrics,
          "pgvigil_schema_drift_objects{kind=\"index\",severity=\"performance\",target=\"app\"}")).isEqualTo(1.0);
      assertThat(Http.sample(metrics, "pgvigil_schema_drift_last_check_timestamp_seconds{target=\"app\"}"))
          .isGreaterThan(0.0);

      // Flyway's advisory lock (77431708279161 + the hash of the quoted table name) held
      // by a session: a migration is running.
      long key = 77431708279161L + "\"public\".\"flyway_schema_history\"".hashCode();
      try (Connection migration = pg.connect(); Statement s = migration.createStatement()) {
        s.execute("SELECT pg_advisory_lock(" + key + ")");
        s.execute("DROP INDEX orders_placed_at_idx");
        JsonObject during = new JsonObject(http.post("/api/v1/targets/app/drift", TOKEN).body());
        assertThat(during.getJsonObject("history").getJsonObject("inProgress")).isNotNull();
        assertThat(during.getJsonObject("structure").getBoolean("stale")).isTrue();
        assertThat(during.getJsonObject("structure").getJsonArray("findings")).hasSize(1);

        // The migration holding ACCESS EXCLUSIVE on the view's table: live is not snapshotted at all, for
        // pg_get_viewdef would queue behind the migration (and the migration's next statement behind it).
        migration.setAutoCommit(false);
        s.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
        CompletableFuture<String> locked =
            CompletableFuture.supplyAsync(() -> http.post("/api/v1/targets/app/drift", TOKEN).body());
        List<String> waiting = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          waiting.add(Sql.query(pg, "SELECT count(*) FROM pg_locks WHERE NOT granted"));
          return locked.isDone();
        });
        assertThat(waiting).as("sessions waiting for a lock while the check ran").containsOnly("0");
        assertThat(new JsonObject(locked.join()).getJsonObject("history").getJsonObject("inProgress")).isNotNull();
        migration.rollback();
        migration.setAutoCommit(true);
        s.execute("SELECT pg_advisory_unlock(" + key + ")");
      }
      JsonObject after = new JsonObject(http.post("/api/v1/targets/app/drift", TOKEN).body());
      assertThat(after.getString("status")).isEqualTo("clean");
      assertThat(Http.sample(http.get("/metrics").body(),
          "pgvigil_schema_drift_objects{kind=\"index\",severity=\"performance\",target=\"app\"}")).isEqualTo(0.0);
    }
  }
}
