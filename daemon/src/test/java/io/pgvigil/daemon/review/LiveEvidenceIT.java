package io.pgvigil.daemon.review;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvigil.checks.testing.ReplicaPair;
import io.pgvigil.checks.testing.ReplicaPairExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.testing.CliRun;
import io.pgvigil.daemon.testing.SarifSchema;
import io.pgvigil.daemon.testing.WorkflowCommand;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review's live evidence end to end: a primary migrated by Flyway and its streaming replica, shadows on the
 * primary's server ({@code shadow.mode: url}, no embedded server per run), and the same pending migration reviewed
 * against different rows. Each test has tables of its own.
 */
@ExtendWith(ReplicaPairExtension.class)
class LiveEvidenceIT {

  private static final String APPLIED = """
      CREATE TABLE people (id bigint PRIMARY KEY, email text, nick text);
      CREATE TABLE orders (id bigint PRIMARY KEY, total numeric, person_id bigint);
      ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
      CREATE TABLE events (id bigint, kind int);
      CREATE TABLE invoices (id bigint PRIMARY KEY, amount int);
      CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
      CREATE TABLE ledger (id bigint PRIMARY KEY, amount int);
      CREATE TABLE stock (id bigint PRIMARY KEY, qty int);
      """;

  @TempDir
  static Path repo;
  static ReplicaPair pair;

  @BeforeAll
  static void migrate() throws Exception {
    Path applied = scenario("applied", Map.of());
    Demo.migrate(pair.primary().jdbcUrl(), applied);
  }

  @Test
  void theSameMigrationPassesOnEmptyTablesAndFailsOnTheReplicasRows() throws Exception {
    Path config = config("tighten", Map.of("V2__tighten.sql", """
        SET lock_timeout = '5s';
        ALTER TABLE people ADD COLUMN score int NOT NULL;
        ALTER TABLE people ALTER COLUMN email SET NOT NULL;
        CREATE UNIQUE INDEX people_nick_key ON people (nick);
        ALTER TABLE orders ADD CONSTRAINT orders_total_small CHECK (total < 1000);
        ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;
        ALTER TABLE orders ADD CONSTRAINT orders_person_fk FOREIGN KEY (person_id) REFERENCES people (id);
        """), "{ readFrom: replica-1 }");

    CliRun empty = run("review", "--config", config.toString(), "--format", "json");

    assertThat(empty.exit()).as(empty.err() + empty.out()).isEqualTo(0);
    JsonObject live = target(empty).getJsonObject("live");
    assertThat(live.getString("readFrom")).isEqualTo("replica-1");
    assertThat(results(live)).containsExactly("any-row passes", "any-null passes", "any-duplicate passes",
        "any-violation passes", "any-violation passes", "any-orphan passes");

    // Rows from before the NOT VALID constraint: it holds back new ones.
    Sql.execute(pair.primary(), "INSERT INTO people VALUES (1, NULL, 'secret-nick'), (2, 'x@example.com', "
        + "'secret-nick')", "ALTER TABLE orders DROP CONSTRAINT orders_total_positive",
        "INSERT INTO orders VALUES (1, 5000, 1), (2, -1, 99)",
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID");
    await().atMost(Duration.ofSeconds(30)).until(() -> "2".equals(Sql.query(pair.replica(),
        "SELECT count(*) FROM orders")));
    CliRun dirty = run("review", "--config", config.toString(), "--format", "json");

    assertThat(dirty.exit()).as(dirty.err() + dirty.out()).isEqualTo(2);
    assertThat(results(target(dirty).getJsonObject("live"))).containsExactly("any-row fails", "any-null fails",
        "any-duplicate fails", "any-violation fails", "any-violation fails", "any-orphan fails");
    List<String> failures = target(dirty).getJsonArray("findings").stream().map(JsonObject.class::cast)
        .filter(f -> f.getString("rule").equals("migration-fails")).map(f -> f.getInteger("statement") + " "
            + f.getString("message"))
        .toList();
    assertThat(failures).hasSize(6).allSatisfy(m -> assertThat(m).contains("on live data (read from replica-1)"));
    assertThat(failures.get(0)).startsWith("2 ").contains("public.people has rows").contains("23502");
    assertThat(failures.get(1)).startsWith("3 ").contains("public.people.email holds NULLs");
    assertThat(failures.get(2)).startsWith("4 ").contains("duplicate of (nick)").contains("23505");
    assertThat(failures.get(3)).startsWith("5 ").contains("orders_total_small").contains("23514");
    assertThat(failures.get(4)).startsWith("6 ").contains("orders_total_positive");
    assertThat(failures.get(5)).startsWith("7 ").contains("(person_id) is not in public.people").contains("23503");
    assertThat(dirty.out()).doesNotContain("secret-nick").doesNotContain("x@example.com");

    CliRun text = run("review", "--config", config.toString());
    assertThat(text.out()).contains("live data (read from replica-1):")
        .contains("statement 4: any duplicate of (nick) in public.people? yes (at least one)");
  }

  @Test
  void aQuestionThatNeedsLongerThanTheProbeTimeoutIsNotCheckedNotPassed() throws Exception {
    Sql.execute(pair.primary(), "INSERT INTO events SELECT g, g % 1000 FROM generate_series(1, 1000000) g",
        "ANALYZE events");
    Path config = config("big", Map.of("V2__unique_kind.sql",
        "CREATE UNIQUE INDEX CONCURRENTLY events_kind_key ON events (kind);\n"), "{ probeTimeout: 20ms }");

    CliRun result = run("review", "--config", config.toString(), "--format", "json");

    assertThat(result.exit()).as(result.err() + result.out()).isEqualTo(0);
    JsonObject probe = target(result).getJsonObject("live").getJsonArray("probes").getJsonObject(0);
    assertThat(probe.getString("result")).isEqualTo("not-checked");
    assertThat(probe.getString("detail")).startsWith("not checked: public.events too large to scan within 20ms "
        + "(about 1,000,000 rows");
    assertThat(target(result).getJsonArray("migrations").getJsonObject(0).getJsonArray("notes").encode())
        .contains("too large to scan within 20ms");
  }

  @Test
  void aRewriteIsAFlagUnderTheBudgetsAndABlockOverThemNamingTheSize() throws Exception {
    Sql.execute(pair.primary(), "INSERT INTO invoices SELECT g, g FROM generate_series(1, 5000) g",
        "ANALYZE invoices");
    Map<String, String> widen = Map.of("V2__widen.sql",
        "SET lock_timeout = '5s';\nALTER TABLE invoices ALTER COLUMN amount TYPE bigint;\n");

    CliRun under = run("review", "--config", config("widen-default", widen, "{}").toString());
    CliRun over = run("review", "--config",
        config("widen-tight", widen, "{ budgets: { rewriteBytes: 64kB } }").toString());

    assertThat(under.exit()).as(under.err() + under.out()).isEqualTo(0);
    assertThat(under.out()).contains("flag   table-rewrite").contains("≈ 5,000 rows")
        .contains("below the budgets rewriteBytes 1GiB and lockedSeconds 2s");
    assertThat(over.exit()).as(over.err() + over.out()).isEqualTo(2);
    assertThat(over.out()).contains("block  table-rewrite").containsPattern("public\\.invoices: \\d+KiB, "
        + "≈ 5,000 rows, .*: \\d+KiB > rewriteBytes 64KiB\\)");
  }

  @Test
  void aBackfillBeforeSetNotNullIsNotJudgedByTheRowsBeforeIt() throws Exception {
    Sql.execute(pair.primary(), "INSERT INTO accounts VALUES (1, NULL)");
    Path config = config("backfill", Map.of("V2__backfill.sql", """
        SET lock_timeout = '5s';
        UPDATE accounts SET email = 'unknown' WHERE email IS NULL;
        ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;
        """), "{}");

    CliRun result = run("review", "--config", config.toString(), "--format", "json");

    assertThat(result.exit()).as(result.err() + result.out()).isEqualTo(0);
    JsonObject probe = target(result).getJsonObject("live").getJsonArray("probes").getJsonObject(0);
    assertThat(probe.getString("result")).isEqualTo("not-checked");
    assertThat(probe.getString("detail")).contains("statement 2 (UPDATE)").contains("may change the rows");
    CliRun markdown = run("review", "--config", config.toString(), "--format", "markdown");
    assertThat(markdown.out()).contains("Live data (read from target):").contains("- size public.accounts: ")
        .contains("statement 3: any NULL in public.accounts.email? not checked: statement 2 (UPDATE)");
    // Neither a pass nor a failure, and said so where CI shows the findings.
    CliRun github = run("review", "--config", config.toString(), "--format", "github");
    assertThat(github.out().lines().filter(l -> l.startsWith("::")).map(WorkflowCommand::parse)).anySatisfy(c -> {
      assertThat(c.name()).isEqualTo("warning");
      assertThat(c.properties()).containsEntry("title", "pgvigil not checked: any-null").containsEntry("line", "3")
          .hasEntrySatisfying("file", f -> assertThat(f).endsWith("V2__backfill.sql"));
      assertThat(c.message()).contains("any NULL in public.accounts.email? not checked: statement 2 (UPDATE)");
    });
    CliRun sarif = run("review", "--config", config.toString(), "--format", "sarif");
    JsonNode log = new ObjectMapper().readTree(sarif.out());
    assertThat(SarifSchema.errors(log)).isEmpty();
    JsonNode notice = log.at("/runs/0/invocations/0/toolExecutionNotifications/0");
    assertThat(notice.get("level").asText()).isEqualTo("warning");
    assertThat(notice.at("/message/text").asText()).contains("not checked: statement 2 (UPDATE)");
    assertThat(notice.at("/locations/0/physicalLocation/region/startLine").asInt()).isEqualTo(3);
  }

  @Test
  void aRewriteAfterAnEarlierMigrationRenamesTheTableIsGradedByTheLiveTablesSize() throws Exception {
    Sql.execute(pair.primary(), "INSERT INTO ledger SELECT g, g FROM generate_series(1, 5000) g", "ANALYZE ledger");
    Path config = config("renamed", Map.of("V2__rename.sql", "ALTER TABLE ledger RENAME TO entries;\n",
        "V3__widen.sql", "SET lock_timeout = '5s';\nALTER TABLE entries ALTER COLUMN amount TYPE bigint;\n"),
        "{ budgets: { rewriteBytes: 64kB } }");

    CliRun result = run("review", "--config", config.toString());

    assertThat(result.exit()).as(result.err() + result.out()).isEqualTo(2);
    assertThat(result.out()).contains("block  table-rewrite").containsPattern("public\\.ledger: \\d+KiB, "
        + "≈ 5,000 rows, .*: \\d+KiB > rewriteBytes 64KiB\\)").doesNotContain("a pending migration creates it");
  }

  @Test
  void aTableLockedOnLiveKeepsItsBlockWithANoteAndTheReviewGoesOn() throws Exception {
    Path config = config("locked", Map.of("V2__widen_stock.sql",
        "SET lock_timeout = '5s';\nALTER TABLE stock ALTER COLUMN qty TYPE bigint;\n"), "{}");

    try (Connection holder = DriverManager.getConnection(pair.primary().jdbcUrl());
        Statement lock = holder.createStatement()) {
      holder.setAutoCommit(false);
      lock.execute("LOCK TABLE stock IN ACCESS EXCLUSIVE MODE");
      CliRun result = run("review", "--config", config.toString(), "--format", "json");

      assertThat(result.exit()).as(result.err() + result.out()).isEqualTo(2);
      JsonObject rewrite = target(result).getJsonArray("findings").stream().map(JsonObject.class::cast)
          .filter(f -> f.getString("rule").equals("table-rewrite")).findFirst().orElseThrow();
      assertThat(rewrite.getString("level")).isEqualTo("block");
      assertThat(rewrite.getString("message")).contains("(size not read: the lock on public.stock was not granted "
          + "within 500ms");
      holder.rollback();
    }
  }

  @Test
  void anUnreachableReplicaIsAnErrorNotAPass() throws Exception {
    Path config = Files.writeString(repo.resolve("gone.yaml"), """
        targets:
          - name: app
            url: %s
            replicas: [{ name: replica-1, url: postgresql://nobody@127.0.0.1:1/none }]
            migrations: { tool: flyway, locations: [./gone] }
            shadow: { mode: url, url: %s }
            review: { readFrom: replica-1 }
        """.formatted(pair.primary().uri(), shadowUrl()));
    scenario("gone", Map.of("V2__nickname.sql", "ALTER TABLE people ADD COLUMN nickname text;\n"));

    CliRun result = run("review", "--config", config.toString());

    assertThat(result.exit()).isEqualTo(1);
    assertThat(result.err()).contains("cannot read live data from replica-1 at postgresql://nobody@127.0.0.1:1/none");
  }

  private static List<String> results(JsonObject live) {
    return live.getJsonArray("probes").stream().map(JsonObject.class::cast)
        .map(p -> p.getString("kind") + " " + p.getString("result")).toList();
  }

  private static JsonObject target(CliRun run) {
    JsonArray targets = new JsonObject(run.out()).getJsonArray("targets");
    return targets.getJsonObject(0);
  }

  /** The applied files and {@code pending} in a Flyway location, and a config reading from it. */
  private static Path config(String name, Map<String, String> pending, String review) throws Exception {
    scenario(name, pending);
    return Files.writeString(repo.resolve(name + ".yaml"), """
        targets:
          - name: app
            url: %s
            replicas: [{ name: replica-1, url: %s }]
            migrations: { tool: flyway, locations: [./%s] }
            shadow: { mode: url, url: %s }
            review: %s
        """.formatted(pair.primary().uri(), pair.replica().uri(), name, shadowUrl(), review));
  }

  private static String shadowUrl() {
    TestPostgres primary = pair.primary();
    return primary.uri().substring(0, primary.uri().lastIndexOf('/')) + "/postgres";
  }

  private static Path scenario(String name, Map<String, String> pending) throws Exception {
    Path location = Files.createDirectories(repo.resolve(name));
    Files.writeString(location.resolve("V1__tables.sql"), APPLIED);
    for (Map.Entry<String, String> file : pending.entrySet()) {
      Files.writeString(location.resolve(file.getKey()), file.getValue());
    }
    return location;
  }
}
