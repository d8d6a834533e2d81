package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.CliRun;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * History drift end to end, through the daemon (API, metrics) and the
 * {@code drift} command, against a history written by a real Flyway migrate
 * and read as a pg_monitor role with SELECT on the history table.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistoryDriftIT {

  private static final String TOKEN = "test-token-1b2c";

  @TempDir
  static Path repo;
  static Path migrations;
  static Path config;

  @BeforeAll
  static void migrate(TestPostgres pg) throws Exception {
    migrations = Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__create_accounts.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n");
    Files.writeString(migrations.resolve("V2__create_invoices.sql"),
        "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));\n");
    Demo.migrate(pg.jdbcUrl(), migrations);
    Sql.execute(pg,
        "CREATE ROLE watcher LOGIN IN ROLE pg_monitor",
        "GRANT SELECT ON public.flyway_schema_history TO watcher");
    config = Files.writeString(repo.resolve("pgvigil.yaml"), """
        server: { listen: 127.0.0.1:0, apiToken: %s }
        targets:
          - name: app
            url: postgresql://watcher@%s:%d/%s
            migrations: { tool: flyway, locations: [./db/migration] }
            drift: { interval: 1h }
        """.formatted(TOKEN, pg.host(), pg.port(), pg.database()));
  }

  @Test
  @Order(1)
  void aCleanHistoryIsNoDrift() {
    CliRun result = drift("--format", "json");

    assertThat(result.exit()).as(result.err()).isEqualTo(0);
    JsonObject app = new JsonObject(result.out()).getJsonArray("targets").getJsonObject(0);
    assertThat(app.getString("status")).isEqualTo("clean");
    assertThat(app.getJsonObject("history").getInteger("applied")).isEqualTo(2);
  }

  @Test
  @Order(2)
  void theDaemonReportsAnEditedAndAPendingMigrationOnRequest() throws Exception {
    try (RunningDaemon daemon = TestDaemon.start(config)) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(20)).untilAsserted(
          () -> assertThat(new JsonObject(http.get("/api/v1/targets/app/drift").body()).getString("status"))
              .as(http.get("/api/v1/targets/app/drift").body()).isEqualTo("clean"));

      Files.writeString(migrations.resolve("V2__create_invoices.sql"),
          "CREATE INDEX ON invoices (account_id);\n", StandardOpenOption.APPEND);
      Files.writeString(migrations.resolve("V3__add_invoice_total.sql"),
          "ALTER TABLE invoices ADD COLUMN total numeric;\n");

      assertThat(http.post("/api/v1/targets/app/drift", null).statusCode()).isEqualTo(401);
      assertThat(http.post("/api/v1/targets/app/drift", "wrong").statusCode()).isEqualTo(401);
      var response = http.post("/api/v1/targets/app/drift", TOKEN);

      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject report = new JsonObject(response.body());
      assertThat(report.getString("status")).isEqualTo("drift");
      JsonArray problems = report.getJsonObject("history").getJsonArray("problems");
      assertThat(problems.stream().map(p -> ((JsonObject) p).getString("kind") + " "
          + ((JsonObject) p).getString("version")))
          .containsExactlyInAnyOrder("checksum-mismatch 2", "pending 3");
      assertThat(response.body()).doesNotContain(TOKEN);

      String metrics = http.get("/metrics").body();
      assertThat(Http.sample(metrics, "pgvigil_migrations_pending{target=\"app\"}")).isEqualTo(1.0);
      assertThat(Http.sample(metrics,
          "pgvigil_migration_history_problems{problem=\"checksum-mismatch\",target=\"app\"}")).isEqualTo(1.0);
      assertThat(Http.sample(metrics,
          "pgvigil_migration_history_problems{problem=\"failed\",target=\"app\"}")).isEqualTo(0.0);
    }
  }

  @Test
  @Order(3)
  void theDriftCommandExitsTwoAndPrintsATable() {
    CliRun result = drift();

    assertThat(result.exit()).as(result.err()).isEqualTo(2);
    assertThat(result.out()).contains("app: 2 history problems")
        .contains("schema: 1 difference").contains("missing  index  public.invoices_account_id_idx")
        .contains("checksum-mismatch").contains("V2__create_invoices.sql")
        .contains("pending").contains("V3__add_invoice_total.sql");
    // The edit is drift whatever --fail-on says; only a pending migration would pass --fail-on drift.
    assertThat(drift("--fail-on", "drift").exit()).isEqualTo(2);
    assertThat(drift("--fail-on", "pending").exit()).isEqualTo(2);
  }

  @Test
  @Order(4)
  void aMissingHistoryTableIsAnErrorNotNoDrift() throws Exception {
    Path other = Files.writeString(repo.resolve("other.yaml"), Files.readString(config)
        .replace("locations: [./db/migration]", "locations: [./db/migration], table: never_migrated"));

    CliRun result = run("drift", "--config", other.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.out()).contains("ERROR").contains("never_migrated");
  }

  @Test
  @Order(5)
  void anUnknownTargetIsAnError() {
    CliRun result = drift("--target", "nope");

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains("no target named 'nope'").contains("app");
  }

  private static CliRun drift(String... extra) {
    String[] args = new String[extra.length + 3];
    args[0] = "drift";
    args[1] = "--config";
    args[2] = config.toString();
    System.arraycopy(extra, 0, args, 3, extra.length);
    return run(args);
  }
}
