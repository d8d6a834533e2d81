package io.pgvigil.daemon.review;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.testing.CliRun;
import io.pgvigil.daemon.testing.MarkdownTables;
import io.pgvigil.daemon.testing.SarifSchema;
import io.pgvigil.daemon.testing.WorkflowCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    Demo.migrate(pg.jdbcUrl(), applied);
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
    // The target's invoices are empty: only a budget below their size keeps the rewrite a block.
    Path config = config("block", Map.of(
        "V3__narrow_ids.sql", "-- ids fit in an int\nALTER TABLE invoices ALTER COLUMN account_id TYPE int;\n"),
        "{ budgets: { rewriteBytes: 1B } }");
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
  void aSuppressedFindingIsReportedInEveryFormatAndNeverFails() throws Exception {
    Path config = config("suppressed", Map.of("V3__reimport.sql", """
        SET lock_timeout = '5s';
        -- pgvigil:ignore truncate invoices are re-imported nightly, 100% of them
        TRUNCATE invoices;
        UPDATE accounts SET email = lower(email);
        """));
    String file = "suppressed/V3__reimport.sql";

    CliRun text = run("review", "--config", config.toString());
    assertThat(text.exit()).as(text.err() + text.out()).isEqualTo(0);
    assertThat(text.out()).contains("block  truncate").contains("suppressed: invoices are re-imported nightly")
        .contains("flag   unbatched-backfill").contains("0 blocks, 1 flag, 1 suppressed: PASS");

    CliRun github = run("review", "--config", config.toString(), "--format", "github", "--fail-on", "flag");
    assertThat(github.exit()).isEqualTo(2);
    List<WorkflowCommand> commands = github.out().lines().filter(l -> l.startsWith("::"))
        .map(WorkflowCommand::parse).toList();
    assertThat(commands).extracting(WorkflowCommand::name).containsExactlyInAnyOrder("notice", "error");
    WorkflowCommand notice = commands.stream().filter(c -> c.name().equals("notice")).findFirst().orElseThrow();
    assertThat(notice.properties()).containsEntry("line", "3").containsEntry("title",
        "pgvigil block: truncate (suppressed)");
    assertThat(notice.properties().get("file")).endsWith(file);
    assertThat(notice.message()).contains("TRUNCATE empties public.invoices under ACCESS EXCLUSIVE: every row")
        .contains("\nFix: ").endsWith("Suppressed in the file: invoices are re-imported nightly, 100% of them");
    WorkflowCommand error = commands.stream().filter(c -> c.name().equals("error")).findFirst().orElseThrow();
    assertThat(error.properties()).containsEntry("line", "4").containsEntry("title",
        "pgvigil flag: unbatched-backfill");
    assertThat(github.out().lines().filter(l -> !l.startsWith("::")))
        .containsExactly("review: 1 pending migration, 0 blocks, 1 flag, 1 suppressed: FAIL (--fail-on flag)");

    CliRun json = run("review", "--config", config.toString(), "--format", "json");
    assertThat(json.exit()).isEqualTo(0);
    JsonObject app = new JsonObject(json.out()).getJsonArray("targets").getJsonObject(0);
    assertThat(app.getInteger("suppressed")).isEqualTo(1);
    assertThat(app.getJsonArray("findings").stream().map(JsonObject.class::cast)
        .map(f -> f.getString("rule") + "=" + f.getString("suppressed")))
        .containsExactlyInAnyOrder("truncate=invoices are re-imported nightly, 100% of them",
            "unbatched-backfill=null");

    CliRun sarif = run("review", "--config", config.toString(), "--format", "sarif");
    assertThat(sarif.exit()).isEqualTo(0);
    JsonNode log = new ObjectMapper().readTree(sarif.out());
    assertThat(SarifSchema.errors(log)).isEmpty();
    JsonNode results = log.at("/runs/0/results");
    assertThat(results).hasSize(2);
    for (JsonNode result : results) {
      JsonNode location = result.at("/locations/0/physicalLocation/artifactLocation");
      assertThat(location.get("uriBaseId").asText()).isEqualTo("%SRCROOT%");
      assertThat(Path.of(java.net.URI.create(log.at("/runs/0/originalUriBaseIds/%SRCROOT%/uri").asText()))
          .resolve(location.get("uri").asText())).exists();
      assertThat(result.at("/partialFingerprints/pgvigil~1v1").asText()).matches("[0-9a-f]{64}");
      boolean truncate = result.get("ruleId").asText().equals("truncate");
      assertThat(result.at("/suppressions/0/kind").asText()).isEqualTo(truncate ? "inSource" : "");
      assertThat(result.at("/suppressions/0/justification").asText())
          .isEqualTo(truncate ? "invoices are re-imported nightly, 100% of them" : "");
    }
    CliRun markdown = run("review", "--config", config.toString(), "--format", "markdown");
    List<List<String>> rows = MarkdownTables.rows(markdown.out());
    assertThat(rows).allMatch(row -> row.size() == 7);
    assertThat(rows)
        .anySatisfy(row -> assertThat(row).startsWith("suppressed block", "truncate", "3", "public.invoices")
            .anyMatch(cell -> cell.endsWith("(suppressed: invoices are re-imported nightly, 100% of them)")));
    assertThat(rows).anySatisfy(row -> assertThat(row).startsWith("flag", "unbatched-backfill", "4"));

    // The same finding two lines lower keeps its fingerprint.
    Path moved = config("suppressed", Map.of("V3__reimport.sql", "-- moved\n\n" + Files.readString(
        repo.resolve(file))));
    JsonNode again = new ObjectMapper().readTree(run("review", "--config", moved.toString(), "--format", "sarif")
        .out());
    assertThat(again.at("/runs/0/results/1/locations/0/physicalLocation/region/startLine").asInt())
        .isEqualTo(results.get(1).at("/locations/0/physicalLocation/region/startLine").asInt() + 2);
    assertThat(again.at("/runs/0/results/1/partialFingerprints")).isEqualTo(results.get(1).at("/partialFingerprints"));
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
    assertThat(SarifSchema.errors(log)).isEmpty();
    ((com.fasterxml.jackson.databind.node.ObjectNode) log.at("/runs/0/invocations/0")).put("executionSuccessful",
        "no");
    assertThat(SarifSchema.errors(log)).isNotEmpty();

    CliRun github = run("review", "--config", config.toString(), "--format", "github");
    assertThat(github.exit()).isEqualTo(1);
    WorkflowCommand error = WorkflowCommand.parse(github.out().lines().findFirst().orElseThrow());
    assertThat(error.name()).isEqualTo("error");
    assertThat(error.properties()).containsOnlyKeys("title").containsEntry("title", "pgvigil review: app");
    assertThat(error.message()).startsWith("app was not reviewed: ");
  }

  /** A Flyway location with the applied files and {@code pending}, and a config pointing at it. */
  private static Path config(String name, Map<String, String> pending) throws Exception {
    return config(name, pending, "{}");
  }

  private static Path config(String name, Map<String, String> pending, String review) throws Exception {
    scenario(name, pending);
    return Files.writeString(repo.resolve(name + ".yaml"), """
        targets:
          - name: app
            url: postgresql://%s@%s:%d/%s
            migrations: { tool: flyway, locations: [./%s] }
            review: %s
        """.formatted(server.user() + (server.password() == null ? "" : ":" + server.password()), server.host(),
        server.port(), server.database(), name, review));
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
