package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.CliRun;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is not drift, end to end (history, shadow replay, snapshot, diff): a checkout converted
 * to CRLF, a file live skipped as out of order, and a database ahead of pgvigil's files. Each
 * test migrates its own database with a real Flyway; shadows are scratch databases on the same
 * server.
 */
@ExtendWith(PostgresExtension.class)
class FalseDriftIT {

  private static final String TOKEN = "false-drift-token";

  private static final String FUNCTIONS = """
      CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric NOT NULL DEFAULT 0);
      CREATE FUNCTION credit(account bigint, amount numeric) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE accounts SET balance = balance + amount WHERE id = account;
      END;
      $$;
      CREATE FUNCTION debit(account bigint, amount numeric) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF amount <= 0 THEN
          RAISE EXCEPTION 'amount must be positive';
        END IF;
        UPDATE accounts SET balance = balance - amount WHERE id = account;
      END;
      $$;
      CREATE VIEW rich AS
        SELECT id, balance
        FROM accounts
        WHERE balance > 1000;
      """;

  private static final String TRIGGERS = """
      ALTER TABLE accounts ADD COLUMN touched timestamptz;
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.touched := now();
        RETURN NEW;
      END;
      $$;
      CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE FUNCTION total() RETURNS numeric LANGUAGE plpgsql STABLE AS $$
      DECLARE
        result numeric;
      BEGIN
        SELECT sum(balance) INTO result FROM accounts;
        RETURN result;
      END;
      $$;
      """;

  @TempDir
  Path repo;

  @Test
  void aCheckoutConvertedToCrlfIsNoDriftAndAFixIsWrittenWithLf(TestPostgres pg) throws Exception {
    Path migrations = migrations("crlf");
    Files.writeString(migrations.resolve("V1__accounts.sql"), FUNCTIONS);
    Files.writeString(migrations.resolve("V2__triggers.sql"), TRIGGERS);
    migrate(pg, "crlf", migrations);
    // What git does with core.autocrlf=true on Windows.
    try (Stream<Path> files = Files.list(migrations)) {
      for (Path file : files.toList()) {
        Files.writeString(file, Files.readString(file).replace("\n", "\r\n"));
      }
    }
    Path config = config(pg, "crlf", migrations);

    CliRun clean = run("drift", "--config", config.toString(), "--format", "json");

    assertThat(clean.exit()).as(clean.out() + clean.err()).isZero();
    JsonObject report = target(clean);
    assertThat(report.getString("status")).isEqualTo("clean");
    assertThat(report.getJsonObject("structure").getJsonArray("findings")).isEmpty();

    execute(pg, "crlf", "CREATE OR REPLACE FUNCTION debit(account bigint, amount numeric) RETURNS void"
        + " LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE accounts SET balance = balance - amount WHERE id = account;\nEND;\n$$");

    CliRun edited = run("drift", "--config", config.toString(), "--format", "json");

    assertThat(edited.exit()).as(edited.out() + edited.err()).isEqualTo(2);
    JsonArray findings = target(edited).getJsonObject("structure").getJsonArray("findings");
    assertThat(findings).hasSize(1);
    JsonObject finding = findings.getJsonObject(0);
    assertThat(finding.getString("object")).isEqualTo("public.debit(bigint, numeric)");
    assertThat(finding.getString("suggestedSql")).contains("RAISE EXCEPTION 'amount must be positive';\n")
        .doesNotContain("\r");
  }

  @Test
  void aFileLiveSkippedIsNotReplayedAndTheReplayCountIsWhatRan(TestPostgres pg) throws Exception {
    Path migrations = migrations("ignored");
    Files.writeString(migrations.resolve("V1__orders.sql"),
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\n");
    Files.writeString(migrations.resolve("V2__customers.sql"), "CREATE TABLE customers (id bigint PRIMARY KEY);\n");
    Files.writeString(migrations.resolve("V3__notes.sql"), "ALTER TABLE orders ADD COLUMN note text;\n");
    migrate(pg, "ignored", migrations);
    // Added after V3 was applied; with outOfOrder=false migrate skips it (IGNORED), so live never ran it.
    Files.writeString(migrations.resolve("V1_5__positive_total.sql"),
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);\n");

    CliRun result = run("drift", "--config", config(pg, "ignored", migrations).toString(), "--format", "json");

    JsonObject report = target(result);
    assertThat(report.getJsonObject("history").getJsonArray("problems").stream()
        .map(p -> ((JsonObject) p).getString("kind") + " " + ((JsonObject) p).getString("version")))
        .as(result.out() + result.err()).containsExactly("out-of-order 1.5");
    JsonObject structure = report.getJsonObject("structure");
    assertThat(structure.getJsonArray("findings")).isEmpty();
    assertThat(structure.getString("expectedFrom"))
        .startsWith("replay of 3 applied flyway migrations up to V3__notes.sql");
  }

  @Test
  void aDatabaseAheadOfTheFilesPausesTheComparisonUntilTheFilesCatchUp(TestPostgres pg) throws Exception {
    Path migrations = migrations("behind");
    Files.writeString(migrations.resolve("V1__orders.sql"), "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
    String v2 =
        "ALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCREATE INDEX orders_shipped_idx ON orders (shipped_at);\n";
    Files.writeString(migrations.resolve("V2__shipping.sql"), v2);
    migrate(pg, "behind", migrations);
    // The app deployed V2; pgvigil's copy of the files is still at V1.
    Files.delete(migrations.resolve("V2__shipping.sql"));
    Path config = config(pg, "behind", migrations);

    CliRun cli = run("drift", "--config", config.toString());

    assertThat(cli.exit()).as(cli.out() + cli.err()).isZero();
    assertThat(cli.out())
        .contains("app: schema NOT compared, the migration files are behind the database; history: no drift")
        .contains("migration files are behind the database: 1 applied migration not in the files (2)")
        .contains("schema: not compared: migration files are behind the database")
        .doesNotContain("unexpected");

    try (RunningDaemon daemon = TestDaemon.start(config)) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(60)).untilAsserted(
          () -> assertThat(new JsonObject(http.get("/api/v1/targets/app/drift").body()).getString("status"))
              .isEqualTo("files-behind"));
      JsonObject behind = new JsonObject(http.get("/api/v1/targets/app/drift").body());
      assertThat(behind.getJsonObject("history").getJsonArray("filesBehind")).containsExactly("2");
      assertThat(behind.getJsonObject("history").getJsonArray("problems")).isEmpty();
      assertThat(behind.containsKey("structure")).as(behind.encode()).isFalse();
      assertThat(behind.getString("structurePaused")).startsWith("migration files are behind the database");
      String metrics = http.get("/metrics").body();
      assertThat(Http.sample(metrics, "pgvigil_migration_files_behind{target=\"app\"}")).isEqualTo(1.0);
      assertThat(http.get("/api/v1/alerts").body()).doesNotContain("historyDrift").doesNotContain("schemaDrift");

      Files.writeString(migrations.resolve("V2__shipping.sql"), v2);
      JsonObject caughtUp = new JsonObject(http.post("/api/v1/targets/app/drift", TOKEN).body());

      assertThat(caughtUp.getString("status")).as(caughtUp.encode()).isEqualTo("clean");
      assertThat(caughtUp.getJsonObject("history").getJsonArray("filesBehind")).isEmpty();
      assertThat(caughtUp.containsKey("structurePaused")).isFalse();
      assertThat(caughtUp.getJsonObject("structure").getString("expectedFrom")).startsWith("replay of 2 applied");
      assertThat(caughtUp.getJsonObject("structure").getJsonArray("findings")).isEmpty();
      assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_migration_files_behind{target=\"app\"}"))
          .isEqualTo(0.0);
    }
  }

  @Test
  void anEmptyMigrationsLocationIsAnErrorNotFilesBehind(TestPostgres pg) throws Exception {
    Path migrations = migrations("unsynced");
    Files.writeString(migrations.resolve("V1__orders.sql"), "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
    Files.writeString(migrations.resolve("V2__notes.sql"), "ALTER TABLE orders ADD COLUMN note text;\n");
    migrate(pg, "unsynced", migrations);
    // pgvigil's copy of the files was never synced: every applied version is newer than every file.
    Files.delete(migrations.resolve("V1__orders.sql"));
    Files.delete(migrations.resolve("V2__notes.sql"));
    Path config = config(pg, "unsynced", migrations);

    CliRun text = run("drift", "--config", config.toString());
    CliRun json = run("drift", "--config", config.toString(), "--format", "json");

    assertThat(text.exit()).as(text.out() + text.err()).isEqualTo(1);
    assertThat(text.out()).contains("app: ERROR none of the 2 migrations applied to public.flyway_schema_history")
        .contains(migrations.toString()).doesNotContain("behind the database:");
    assertThat(json.exit()).isEqualTo(1);
    assertThat(target(json).getString("status")).isEqualTo("error");
    assertThat(target(json).getString("error")).contains("check the migrations locations");
  }

  private Path migrations(String name) throws IOException {
    return Files.createDirectories(repo.resolve(name).resolve("db/migration"));
  }

  /** A database of its own, migrated as a deployment would. */
  private static void migrate(TestPostgres pg, String database, Path migrations) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    FluentConfiguration flyway = Flyway.configure().dataSource(jdbc(pg, database), pg.user(), pg.password())
        .locations("filesystem:" + migrations);
    flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    flyway.load().migrate();
  }

  private static void execute(TestPostgres pg, String database, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc(pg, database), pg.user(), pg.password());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String jdbc(TestPostgres pg, String database) {
    return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database;
  }

  /** The target on its own database; shadows are scratch databases made through the test's {@code app} one. */
  private Path config(TestPostgres pg, String database, Path migrations) throws IOException {
    String url = pg.uri().substring(0, pg.uri().lastIndexOf('/') + 1);
    return Files.writeString(migrations.getParent().getParent().resolve("pgvigil.yaml"), """
        server: { listen: 127.0.0.1:0, apiToken: %s }
        targets:
          - name: app
            url: "%s%s"
            migrations: { tool: flyway, locations: [./db/migration] }
            shadow: { mode: url, url: "%s" }
            drift: { interval: 1h }
        """.formatted(TOKEN, url, database, pg.uri()));
  }

  private static JsonObject target(CliRun result) {
    return new JsonObject(result.out()).getJsonArray("targets").getJsonObject(0);
  }
}
