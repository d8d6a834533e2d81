package io.pgvigil.daemon.review;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.testing.CliRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code review} command end to end: a target migrated by a real Flyway, a pending
 * migration per scenario (each scenario a Flyway location holding the applied files and its own
 * pending ones), an embedded shadow of the target's major, and the exit code and every format.
 */
@ExtendWith(PostgresExtension.class)
class ReviewCommandIT {

  private static final Map<String, String> APPLIED = Map.of(
      "V1__create_accounts.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n",
      "V2__create_invoices.sql", "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint, total numeric);\n");

  @TempDir
  static Path repo;
  static TestPostgres server;

  @BeforeAll
  static void migrate(TestPostgres pg) throws Exception {
    server = pg;
    Path applied = scenario("applied", Map.of());
    FluentConfiguration flyway = Flyway.configure().dataSource(pg.jdbcUrl(), null, null)
        .locations("filesystem:" + applied);
    flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    flyway.load().migrate();
  }

  @Test
  void safePendingMigrationsPass() throws Exception {
    Path config = config("safe", Map.of(
        "V3__index_invoices.sql", "CREATE INDEX CONCURRENTLY invoices_account_idx ON invoices (account_id);\n",
        "V4__notes.sql", "CREATE TABLE notes (id bigint PRIMARY KEY, invoice_id bigint REFERENCES invoices (id));\n"
            + "SET lock_timeout = '5s';\nALTER TABLE invoices ADD COLUMN paid boolean NOT NULL DEFAULT false;\n"));

    CliRun result = run("review", "--config", config.toString());

    assertThat(result.exit()).as(result.err() + result.out()).isEqualTo(0);
    assertThat(result.out()).contains("app: 2 pending migrations, 0 blocks, 0 flags")
        .contains("V3__index_invoices.sql: no findings").contains("V4__notes.sql: no findings")
        .contains(": PASS (--fail-on block)");
    assertThat(result.err()).contains("starting a PostgreSQL " + server.major() + " shadow")
        .containsAnyOf("replaying 2 applied migrations", "from the cache (2 applied migrations");
  }

  @Test
  void aBlockFindingExitsTwoInEveryFormat() throws Exception {
    Path config = config("block", Map.of(
        "V3__narrow_ids.sql", "-- ids fit in an int\nALTER TABLE invoices ALTER COLUMN account_id TYPE int;\n"));
    String file = "block/V3__narrow_ids.sql";

    CliRun text = run("review", "--config", config.toString());
    assertThat(text.exit()).as(text.err() + text.out()).isEqualTo(2);
    assertThat(text.out()).contains("block  table-rewrite").contains("public.invoices").contains("ACCESS EXCLUSIVE")
        .contains("fix: add a new column").contains(": FAIL (--fail-on block)");

    CliRun json = run("review", "--config", config.toString(), "--format", "json");
    assertThat(json.exit()).isEqualTo(2);
    JsonObject report = new JsonObject(json.out());
    assertThat(report.getInteger("version")).isEqualTo(1);
    assertThat(report.getBoolean("passed")).isFalse();
    JsonObject app = report.getJsonArray("targets").getJsonObject(0);
    assertThat(app.getString("target")).isEqualTo("app");
    assertThat(app.getJsonArray("migrations").getJsonObject(0).getString("file")).endsWith(file);
    JsonArray findings = app.getJsonArray("findings");
    assertThat(findings.stream().map(f -> ((JsonObject) f).getString("rule")))
        .containsExactlyInAnyOrder("table-rewrite", "access-exclusive-without-lock-timeout");
    JsonObject rewrite = findings.stream().map(JsonObject.class::cast)
        .filter(f -> f.getString("rule").equals("table-rewrite")).findFirst().orElseThrow();
    assertThat(rewrite.getString("level")).isEqualTo("block");
    assertThat(rewrite.getInteger("statement")).isEqualTo(1);
    assertThat(rewrite.getInteger("line")).isEqualTo(2);
    assertThat(rewrite.getString("object")).isEqualTo("public.invoices");
    assertThat(rewrite.getString("lockMode")).isEqualTo("ACCESS EXCLUSIVE");
    assertThat(rewrite.getString("fix")).isNotBlank();

    CliRun sarif = run("review", "--config", config.toString(), "--format", "sarif");
    assertThat(sarif.exit()).isEqualTo(2);
    JsonNode log = new ObjectMapper().readTree(sarif.out());
    assertThat(log.get("version").asText()).isEqualTo("2.1.0");
    JsonNode run = log.get("runs").get(0);
    assertThat(run.at("/tool/driver/name").asText()).isEqualTo("pgvigil");
    List<String> ruleIds = new ArrayList<>();
    run.at("/tool/driver/rules").forEach(r -> ruleIds.add(r.get("id").asText()));
    assertThat(ruleIds).contains("table-rewrite", "index-without-concurrently", "constraint-validates-existing-rows",
        "set-not-null-scans", "access-exclusive-without-lock-timeout", "drop-or-rename",
        "concurrently-in-transaction", "migration-fails", "reindex-without-concurrently");
    JsonNode result = null;
    for (JsonNode r : run.get("results")) {
      if (r.get("ruleId").asText().equals("table-rewrite")) {
        result = r;
      }
    }
    assertThat(result).isNotNull();
    assertThat(result.get("level").asText()).isEqualTo("error");
    assertThat(result.at("/locations/0/physicalLocation/artifactLocation/uri").asText()).endsWith(file);
    assertThat(result.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(2);

    CliRun markdown = run("review", "--config", config.toString(), "--format", "markdown");
    assertThat(markdown.exit()).isEqualTo(2);
    assertThat(markdown.out()).contains("## pgvigil pre-flight review: fail")
        .contains("| **block** | `table-rewrite` | 2 | `public.invoices` | ACCESS EXCLUSIVE |")
        .contains("| flag | `access-exclusive-without-lock-timeout` |");
  }

  @Test
  void aFlagOnlyFindingFailsOnlyWithFailOnFlag() throws Exception {
    Path config = config("flag", Map.of("V3__nickname.sql", "ALTER TABLE accounts ADD COLUMN nickname text;\n"));

    CliRun byDefault = run("review", "--config", config.toString());
    assertThat(byDefault.exit()).as(byDefault.err() + byDefault.out()).isEqualTo(0);
    assertThat(byDefault.out()).contains("flag   access-exclusive-without-lock-timeout").contains(": PASS");

    CliRun strict = run("review", "--config", config.toString(), "--fail-on", "flag", "--format", "json");
    assertThat(strict.exit()).isEqualTo(2);
    assertThat(new JsonObject(strict.out()).getString("failOn")).isEqualTo("flag");
  }

  @Test
  void aMigrationThatFailsOnTheShadowIsABlockFinding() throws Exception {
    Path config = config("fails", Map.of("V3__typo.sql", "ALTER TABLE invoice ADD COLUMN due date;\n"));

    CliRun result = run("review", "--config", config.toString());

    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.out()).contains("migration-fails").contains("relation \"invoice\" does not exist");
  }

  @Test
  void aMigrationFlywayWouldRunInATransactionFailsTheReviewUnlessItsSqlConfSaysOtherwise() throws Exception {
    String reindex = "REINDEX TABLE CONCURRENTLY invoices;\n";

    CliRun inTransaction = run("review", "--config", config("reindex-tx", Map.of("V3__reindex.sql", reindex))
        .toString());
    CliRun withConf = run("review", "--config", config("reindex-conf", Map.of("V3__reindex.sql", reindex,
        "V3__reindex.sql.conf", "executeInTransaction=false\n")).toString());

    assertThat(inTransaction.exit()).as(inTransaction.err() + inTransaction.out()).isEqualTo(2);
    assertThat(inTransaction.out()).contains("migration-fails").contains("Flyway runs it in one transaction")
        .contains("SQLSTATE 25001");
    assertThat(withConf.exit()).as(withConf.err() + withConf.out()).isEqualTo(0);
    assertThat(withConf.out()).contains("V3__reindex.sql: no findings");
  }

  @Test
  void nothingPendingPassesWithoutAShadow() throws Exception {
    CliRun result = run("review", "--config", config("none", Map.of()).toString(), "--format", "json");

    assertThat(result.exit()).as(result.err()).isEqualTo(0);
    assertThat(new JsonObject(result.out()).getJsonArray("targets").getJsonObject(0).getJsonArray("migrations"))
        .isEmpty();
    assertThat(result.err()).doesNotContain("shadow");
  }

  @Test
  void aBadConfigOrAnUnknownTargetExitsOne() throws Exception {
    Path bad = Files.writeString(repo.resolve("bad.yaml"), "targets: [ { name: app } ]\n");
    assertThat(run("review", "--config", bad.toString()).exit()).isEqualTo(1);

    CliRun unknown = run("review", "--config", config("unknown", Map.of()).toString(), "--target", "nope");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no target named 'nope'");

    CliRun badLevel = run("review", "--config", config("unknown", Map.of()).toString(), "--fail-on", "warn");
    assertThat(badLevel.exit()).isEqualTo(1);
  }

  @Test
  void anUnreachableTargetIsAnErrorNotAPass() throws Exception {
    Path config = Files.writeString(repo.resolve("unreachable.yaml"), """
        targets:
          - name: app
            url: postgresql://nobody@127.0.0.1:1/none
            migrations: { tool: flyway, locations: [./applied] }
        """);

    CliRun result = run("review", "--config", config.toString(), "--format", "sarif");

    assertThat(result.exit()).isEqualTo(1);
    JsonNode log = new ObjectMapper().readTree(result.out());
    assertThat(log.at("/runs/0/invocations/0/executionSuccessful").asBoolean()).isFalse();
  }

  /** A Flyway location with the applied files and {@code pending}, and a config pointing at it. */
  private static Path config(String name, Map<String, String> pending) throws Exception {
    scenario(name, pending);
    return Files.writeString(repo.resolve(name + ".yaml"), """
        targets:
          - name: app
            url: postgresql://%s@%s:%d/%s
            migrations: { tool: flyway, locations: [./%s] }
        """.formatted(server.user() + (server.password() == null ? "" : ":" + server.password()), server.host(),
        server.port(), server.database(), name));
  }

  private static Path scenario(String name, Map<String, String> pending) throws Exception {
    Path location = Files.createDirectories(repo.resolve(name));
    for (Map.Entry<String, String> file : APPLIED.entrySet()) {
      Files.writeString(location.resolve(file.getKey()), file.getValue());
    }
    for (Map.Entry<String, String> file : pending.entrySet()) {
      Files.writeString(location.resolve(file.getKey()), file.getValue());
    }
    return location;
  }
}
