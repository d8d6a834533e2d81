package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.testing.CliRun;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drift} keeps the expected schema on disk: the next run with the same history reads it instead of replaying
 * (and still finds drift made meanwhile), anything the schema depends on changing is a replay, {@code --no-cache}
 * replays and keeps nothing, a damaged entry or a directory others may write is never trusted; {@code --verbose}
 * tells each phase on stderr, stdout stays the report.
 */
@ExtendWith(PostgresExtension.class)
class DriftCacheIT {

  @TempDir
  Path repo;

  @Test
  void theExpectedSchemaIsReadFromDiskUntilWhatItDependsOnChanges(TestPostgres pg) throws Exception {
    Path migrations = Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__accounts.sql"),
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, note text);\n");
    migrate(pg, migrations);
    Path data = repo.resolve("data");
    Path cache = data.resolve("drift-cache");
    Path config = config(pg, "");

    CliRun first = drift(config, data, "--verbose");
    assertThat(structure(first, 0).getBoolean("cached")).isFalse();
    assertThat(first.err()).contains("app: history: flyway public.flyway_schema_history read and checked")
        .contains("app: live schema: ").contains("app: expected schema: not cached")
        .contains("starting a PostgreSQL").containsPattern("app: expected schema: kept in .*drift-cache")
        .containsPattern("\\[ *\\d+\\.\\d\\d s] app: compared in \\d+ ms: 0 findings");
    assertThat(entries(cache)).hasSize(1);

    CliRun second = drift(config, data, "--verbose");
    assertThat(structure(second, 0).getBoolean("cached")).isTrue();
    assertThat(structure(second, 0).getString("expectedFrom")).startsWith("replay of 1 applied flyway migration");
    assertThat(second.err()).containsPattern("app: expected schema: read from .*drift-cache")
        .doesNotContain("starting a PostgreSQL");

    // Drift made since is found against the kept schema.
    Sql.execute(pg, "CREATE INDEX accounts_email_idx ON accounts (email)");
    JsonObject drifted = structure(drift(config, data), 2);
    assertThat(drifted.getBoolean("cached")).isTrue();
    assertThat(drifted.getJsonArray("findings")).hasSize(1);
    assertThat(drifted.getJsonArray("findings").getJsonObject(0).getString("object"))
        .isEqualTo("public.accounts_email_idx");
    Sql.execute(pg, "DROP INDEX accounts_email_idx");

    // What the snapshot ignores is part of the key: another ignore list replays.
    Path ignoring = config(pg, "drift: { ignore: ['column:public.accounts.note'] }");
    assertThat(structure(drift(ignoring, data), 0).getBoolean("cached")).isFalse();
    assertThat(entries(cache)).hasSize(2);

    // A newly applied migration changes the history: replayed.
    Files.writeString(migrations.resolve("V2__orders.sql"), "CREATE TABLE orders (id bigint PRIMARY KEY);\n");
    migrate(pg, migrations);
    assertThat(structure(drift(config, data), 0).getBoolean("cached")).isFalse();
    assertThat(structure(drift(config, data), 0).getBoolean("cached")).isTrue();
    assertThat(entries(cache)).hasSize(3);

    // --no-cache replays and keeps nothing.
    CliRun uncached = drift(config, data, "--no-cache", "--verbose");
    assertThat(structure(uncached, 0).getBoolean("cached")).isFalse();
    assertThat(uncached.err()).doesNotContain("kept in").doesNotContain("read from");
    assertThat(entries(cache)).hasSize(3);

    // A damaged entry is dropped and the history replayed: never a wrong schema.
    for (Path entry : entries(cache)) {
      byte[] bytes = Files.readAllBytes(entry);
      bytes[bytes.length / 2] ^= 0x20;
      Files.write(entry, bytes);
    }
    JsonObject damaged = structure(drift(config, data), 0);
    assertThat(damaged.getBoolean("cached")).isFalse();
    assertThat(damaged.getJsonArray("findings")).isEmpty();
    assertThat(structure(drift(config, data), 0).getBoolean("cached")).isTrue();

    // A directory others may write could hold a planted schema that hides drift: not used at all.
    Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
    JsonObject unsafe = structure(drift(config, data), 0);
    assertThat(unsafe.getBoolean("cached")).isFalse();
    assertThat(unsafe.getJsonArray("findings")).isEmpty();

    // A migration holding its lock: live is not snapshotted at all.
    Files.writeString(migrations.resolve("V3__paid.sql"), "CREATE VIEW paid_orders AS SELECT id FROM orders;\n");
    migrate(pg, migrations);
    // Flyway's advisory lock (77431708279161 + the hash of the quoted table name) and an ALTER's ACCESS EXCLUSIVE
    // held by the migration: the snapshot's pg_get_viewdef(paid_orders) would queue behind it (the daemon's
    // periodic check reads the history first, StructuralDriftIT; the drift command asks for the lock first).
    long key = 77431708279161L + "\"public\".\"flyway_schema_history\"".hashCode();
    try (Connection migration = pg.connect(); Statement s = migration.createStatement()) {
      s.execute("SELECT pg_advisory_lock(" + key + ")");
      migration.setAutoCommit(false);
      s.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE");
      CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> drift(config, data));
      List<String> waiting = new ArrayList<>();
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        waiting.add(Sql.query(pg, "SELECT count(*) FROM pg_locks WHERE NOT granted"));
        return run.isDone();
      });
      assertThat(waiting).as("sessions waiting for a lock while drift ran").containsOnly("0");
      CliRun done = run.join();
      assertThat(done.exit()).as(done.out() + done.err()).isZero();
      assertThat(new JsonObject(done.out()).getJsonArray("targets").getJsonObject(0).getJsonObject("history")
          .getJsonObject("inProgress")).isNotNull();
      migration.rollback();
    }
  }

  private static void migrate(TestPostgres pg, Path migrations) {
    Demo.migrate(pg.jdbcUrl(), migrations);
  }

  private Path config(TestPostgres pg, String more) throws IOException {
    return Files.writeString(Files.createTempFile(repo, "pgvigil-", ".yaml"), """
        targets:
          - name: app
            url: %s
            migrations: { tool: flyway, locations: [./db/migration] }%s
        """.formatted(pg.uri(), more.isEmpty() ? "" : "\n    " + more));
  }

  private static CliRun drift(Path config, Path data, String... more) {
    List<String> args = new ArrayList<>(List.of("drift", "--config", config.toString(), "--data-dir",
        data.toString(), "--format", "json"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  /** The one target's structure section, after checking the exit code. */
  private static JsonObject structure(CliRun run, int exit) {
    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(exit);
    return new JsonObject(run.out()).getJsonArray("targets").getJsonObject(0).getJsonObject("structure");
  }

  private static List<Path> entries(Path cache) throws IOException {
    try (Stream<Path> list = Files.list(cache)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".schema")).toList();
    }
  }
}
