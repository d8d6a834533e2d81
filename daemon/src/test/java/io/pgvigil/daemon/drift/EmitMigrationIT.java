package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.schema.CatalogSnapshotter;
import io.pgvigil.checks.schema.SchemaDiff;
import io.pgvigil.checks.schema.SchemaSnapshot;
import io.pgvigil.checks.schema.SnapshotOptions;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.testing.CliRun;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drift --emit-migration}: a hotfix made by hand on live (a column, an index, a default, a table, an enum label)
 * becomes the next migration, and the history with it, replayed into a fresh database, makes exactly live's schema;
 * for Flyway and for Prisma. And the refusals, each with nothing written.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmitMigrationIT {

  private static final String HOTFIX_FLYWAY = "V1__orders.sql";
  private static final String HISTORY = """
      CREATE TYPE order_state AS ENUM ('new', 'paid');
      CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                           state order_state NOT NULL DEFAULT 'new',
                           note text,
                           placed_at timestamptz NOT NULL DEFAULT now());
      """;
  private static final String[] HOTFIX = {
      "ALTER TABLE orders ADD COLUMN coupon text",
      "CREATE INDEX orders_placed_at_idx ON orders (placed_at)",
      "ALTER TABLE orders ALTER COLUMN note SET DEFAULT ''",
      "CREATE TABLE refunds (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
          + "order_id bigint NOT NULL REFERENCES orders (id), amount numeric(12,2) NOT NULL)",
      "ALTER TYPE order_state ADD VALUE 'refunded' AFTER 'paid'",
      "ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'refunded'"};

  @TempDir
  static Path repo;
  static TestPostgres pg;
  static Path config;
  static Path flywayDir;
  static Path prismaDir;

  @BeforeAll
  static void migrate(TestPostgres server) throws Exception {
    pg = server;
    flywayDir = Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(flywayDir.resolve(HOTFIX_FLYWAY), HISTORY);
    flyway("app", flywayDir).migrate();

    prismaDir = Files.createDirectories(repo.resolve("prisma/migrations/20240101000000_init"));
    Files.writeString(prismaDir.resolve("migration.sql"), HISTORY);
    prismaDir = prismaDir.getParent();
    Sql.execute(pg, "CREATE DATABASE shop");
    execute("shop", HISTORY, """
        CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY NOT NULL, checksum varchar(64) NOT NULL,
          finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
          started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0)""",
        "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES "
            + "('00000000-0000-0000-0000-000000000001', '" + sha256(HISTORY) + "', now(), "
            + "'20240101000000_init', 1)");
    config = Files.writeString(repo.resolve("pgvigil.yaml"), """
        targets:
          - name: app
            url: postgresql://%1$s@%2$s:%3$d/app
            migrations: { tool: flyway, locations: [./db/migration] }
          - name: shop
            url: postgresql://%1$s@%2$s:%3$d/shop
            migrations: { tool: prisma, directory: ./prisma/migrations }
        """.formatted(pg.user(), pg.host(), pg.port()));
  }

  @Test
  @Order(1)
  void refusesWhatItCannotDoBeforeConnecting() throws Exception {
    CliRun both = emit("flyway");
    assertThat(both.exit()).isEqualTo(1);
    assertThat(both.err()).contains("app, shop have migrations: name one with --target").contains("nothing written");
    CliRun wrongTool = emit("prisma", "--target", "app");
    assertThat(wrongTool.exit()).isEqualTo(1);
    assertThat(wrongTool.err()).contains("target 'app' uses flyway migrations, not prisma");
    CliRun badName = emit("flyway", "--target", "app", "--name", "adopt-it");
    assertThat(badName.exit()).isEqualTo(1);
    assertThat(badName.err()).contains("--name 'adopt-it' must be letters, digits and underscores");
    CliRun nameAlone = run("drift", "--config", config.toString(), "--target", "app", "--name", "x");
    assertThat(nameAlone.exit()).isEqualTo(1);
    assertThat(nameAlone.err()).contains("--name names the migration --emit-migration writes");
    assertThat(both.out() + wrongTool.out() + badName.out() + nameAlone.out()).isEmpty();
    assertNothingWritten();
  }

  @Test
  @Order(2)
  void refusesWhenLiveMatchesTheHistory() throws Exception {
    CliRun clean = emit("prisma", "--target", "shop");
    assertThat(clean.exit()).as(clean.err()).isEqualTo(1);
    assertThat(clean.err()).contains("target 'shop' has no structural drift");
    assertThat(clean.out()).isEmpty();
    assertNothingWritten();
  }

  @Test
  @Order(3)
  void flywayMigrationAdoptsTheHotfix() throws Exception {
    execute("app", HOTFIX);

    CliRun emitted = emit("flyway", "--target", "app", "--name", "adopt_hotfix");

    assertThat(emitted.exit()).as(emitted.err()).isEqualTo(0);
    // The new label in a migration of its own: the next one uses it as a default.
    Path labels = flywayDir.resolve("V2__adopt_hotfix_enum_labels.sql");
    Path file = flywayDir.resolve("V3__adopt_hotfix.sql");
    assertThat(emitted.err()).contains("wrote " + labels).contains("wrote " + file);
    assertThat(Files.readString(labels) + "\n" + Files.readString(file)).isEqualTo(emitted.out());
    assertThat(Files.readString(labels)).contains("ALTER TYPE public.order_state ADD VALUE 'refunded' AFTER 'paid';")
        .doesNotContain("DEFAULT");
    assertThat(Files.readString(file)).contains("CREATE INDEX orders_placed_at_idx ON public.orders")
        .contains("SET DEFAULT 'refunded'").doesNotContain("ADD VALUE").doesNotContain("CONCURRENTLY")
        .contains("-- pgvigil:ignore index-without-concurrently adopts what live already has");
    Sql.execute(pg, "CREATE DATABASE app_replayed");
    flyway("app_replayed", flywayDir).migrate();
    assertThat(diff("app", "app_replayed", "public.flyway_schema_history")).isEmpty();
  }

  @Test
  @Order(4)
  void prismaMigrationAdoptsTheHotfix() throws Exception {
    execute("shop", HOTFIX);

    CliRun emitted = emit("prisma", "--target", "shop");

    assertThat(emitted.exit()).as(emitted.err()).isEqualTo(0);
    List<Path> folders;
    try (Stream<Path> list = Files.list(prismaDir)) {
      folders = list.sorted().toList();
    }
    assertThat(folders).hasSize(3);
    assertThat(folders.get(1).getFileName().toString()).matches("\\d{14}_adopt_live_drift_enum_labels");
    assertThat(folders.get(2).getFileName().toString()).matches("\\d{14}_adopt_live_drift");
    Path labels = folders.get(1).resolve("migration.sql");
    Path file = folders.get(2).resolve("migration.sql");
    assertThat(emitted.err()).contains("wrote " + labels).contains("wrote " + file);
    assertThat(Files.readString(labels) + "\n" + Files.readString(file)).isEqualTo(emitted.out());
    assertThat(Files.readString(file)).contains("prisma migrate resolve --applied " + folders.get(2).getFileName());
    Sql.execute(pg, "CREATE DATABASE shop_replayed");
    for (Path folder : folders) {
      execute("shop_replayed", Files.readString(folder.resolve("migration.sql")));
    }
    assertThat(diff("shop", "shop_replayed", "public._prisma_migrations")).isEmpty();
  }

  @Test
  @Order(5)
  void refusesWhileMigrationsArePendingAndListsWhatHasNoStatement() throws Exception {
    CliRun pending = emit("flyway", "--target", "app");
    assertThat(pending.exit()).as(pending.err()).isEqualTo(1);
    assertThat(pending.err()).contains("target 'app' has migrations not applied yet (V2__adopt_hotfix_enum_labels.sql, "
        + "V3__adopt_hotfix.sql)");
    assertThat(flywayDir.resolve("V4__adopt_live_drift.sql")).doesNotExist();

    Files.delete(flywayDir.resolve("V2__adopt_hotfix_enum_labels.sql"));
    Files.delete(flywayDir.resolve("V3__adopt_hotfix.sql"));
    execute("app", "ALTER TABLE orders ALTER COLUMN id DROP IDENTITY");
    CliRun refused = emit("flyway", "--target", "app");

    assertThat(refused.exit()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err()).contains("no migration statement for 1 of").contains("column public.orders.id:")
        .contains("nothing written");
    assertThat(refused.out()).isEmpty();
    assertThat(flywayDir.resolve("V2__adopt_live_drift.sql")).doesNotExist();
  }

  @Test
  @Order(6)
  void writesGrantsInTheRepositorysRoleNames() throws Exception {
    Path dir = Files.createDirectories(repo.resolve("granted/migration"));
    Files.writeString(dir.resolve("V1__t.sql"), "CREATE TABLE t (id int);\n");
    Sql.execute(pg, "CREATE DATABASE granted");
    Sql.execute(pg, "DO $$ BEGIN CREATE ROLE app_live; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    flyway("granted", dir).migrate();
    execute("granted", "GRANT SELECT ON t TO app_live");
    Path granted = Files.writeString(repo.resolve("granted.yaml"), """
        targets:
          - name: granted
            url: postgresql://%1$s@%2$s:%3$d/granted
            migrations: { tool: flyway, locations: [./granted/migration] }
            drift: { compare: [grants], roleMap: { app_repo: app_live } }
        """.formatted(pg.user(), pg.host(), pg.port()));

    CliRun emitted = run("drift", "--config", granted.toString(), "--emit-migration", "flyway");

    assertThat(emitted.exit()).as(emitted.err()).isEqualTo(0);
    assertThat(emitted.out()).contains("GRANT SELECT ON TABLE public.t TO app_repo;").doesNotContain("app_live");
    assertThatThrownBy(() -> AdoptionMigration.repositoryRoles("granted", Map.of("a", "live", "b", "live")))
        .hasMessageContaining("make the map one-to-one");

    // A repeatable migration changed since it ran: the next migrate re-applies it, nothing to adopt by hand.
    Files.delete(dir.resolve("V2__adopt_live_drift.sql"));
    Files.writeString(dir.resolve("R__ids.sql"), "CREATE OR REPLACE VIEW ids AS SELECT id FROM t;\n");
    flyway("granted", dir).migrate();
    Files.writeString(dir.resolve("R__ids.sql"), "CREATE OR REPLACE VIEW ids AS SELECT id, 1 AS one FROM t;\n");
    CliRun outdated = run("drift", "--config", granted.toString(), "--emit-migration", "flyway");
    assertThat(outdated.exit()).as(outdated.err()).isEqualTo(1);
    assertThat(outdated.err()).contains("R__ids.sql (repeatable-outdated)").contains("nothing written");
    assertThat(dir.resolve("V2__adopt_live_drift.sql")).doesNotExist();
  }

  @Test
  @Order(7)
  void aNewSqlStandardFunctionComesBeforeTheTableThatCallsIt() throws Exception {
    Path dir = Files.createDirectories(repo.resolve("functions/migration"));
    Files.writeString(dir.resolve("V1__t.sql"), "CREATE TABLE t (id int);\n");
    Sql.execute(pg, "CREATE DATABASE functions");
    flyway("functions", dir).migrate();
    execute("functions", "CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN x * 2",
        // RETURN in column 0 of a string body is no SQL-standard body.
        "CREATE FUNCTION one() RETURNS integer LANGUAGE plpgsql AS $$\nBEGIN\nRETURN 1;\nEND\n$$",
        "CREATE TABLE doubled (a integer DEFAULT one(), b integer GENERATED ALWAYS AS (twice(a)) STORED)");
    Path functions = Files.writeString(repo.resolve("functions.yaml"), """
        targets:
          - name: functions
            url: postgresql://%1$s@%2$s:%3$d/functions
            migrations: { tool: flyway, locations: [./functions/migration] }
        """.formatted(pg.user(), pg.host(), pg.port()));

    CliRun emitted = run("drift", "--config", functions.toString(), "--emit-migration", "flyway");

    assertThat(emitted.exit()).as(emitted.err()).isEqualTo(0);
    assertThat(emitted.out()).doesNotContain("-- NOTE");
    assertThat(emitted.out().indexOf("FUNCTION public.twice")).isNotNegative()
        .isLessThan(emitted.out().indexOf("CREATE TABLE public.doubled"));
    assertThat(emitted.out().indexOf("FUNCTION public.one")).isNotNegative()
        .isLessThan(emitted.out().indexOf("CREATE TABLE public.doubled"));
    Sql.execute(pg, "CREATE DATABASE functions_replayed");
    flyway("functions_replayed", dir).migrate();
    assertThat(diff("functions", "functions_replayed", "public.flyway_schema_history")).isEmpty();
  }

  @Test
  @Order(8)
  void aNewUniqueIndexMadeTheReplicaIdentityIsMadeBeforeItIsNamed() throws Exception {
    Path dir = Files.createDirectories(repo.resolve("identity/migration"));
    Files.writeString(dir.resolve("V1__t.sql"), "CREATE TABLE t (id int NOT NULL, code text NOT NULL);\n");
    Sql.execute(pg, "CREATE DATABASE identity");
    flyway("identity", dir).migrate();
    execute("identity", "CREATE UNIQUE INDEX t_code_key ON t (code)",
        "ALTER TABLE t REPLICA IDENTITY USING INDEX t_code_key");
    Path identity = Files.writeString(repo.resolve("identity.yaml"), """
        targets:
          - name: identity
            url: postgresql://%1$s@%2$s:%3$d/identity
            migrations: { tool: flyway, locations: [./identity/migration] }
        """.formatted(pg.user(), pg.host(), pg.port()));

    CliRun emitted = run("drift", "--config", identity.toString(), "--emit-migration", "flyway");

    assertThat(emitted.exit()).as(emitted.err()).isEqualTo(0);
    assertThat(emitted.out()).doesNotContain("REPLICA IDENTITY DEFAULT");
    assertThat(emitted.out().indexOf("CREATE UNIQUE INDEX t_code_key")).isNotNegative()
        .isLessThan(emitted.out().indexOf("REPLICA IDENTITY USING INDEX t_code_key"));
    Sql.execute(pg, "CREATE DATABASE identity_replayed");
    flyway("identity_replayed", dir).migrate();
    assertThat(diff("identity", "identity_replayed", "public.flyway_schema_history")).isEmpty();
  }

  private static void assertNothingWritten() throws Exception {
    try (Stream<Path> files = Files.walk(repo)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> repo.relativize(p).toString()).sorted())
          .containsExactly("db/migration/" + HOTFIX_FLYWAY, "pgvigil.yaml", "prisma/migrations/20240101000000_init/"
              + "migration.sql");
    }
  }

  private static CliRun emit(String tool, String... more) {
    String[] args = Stream.concat(Stream.of("drift", "--config", config.toString(), "--emit-migration", tool),
        Stream.of(more)).toArray(String[]::new);
    return run(args);
  }

  private static FluentConfiguration flywayConfig(String database, Path locations) {
    FluentConfiguration flyway = Flyway.configure().dataSource(jdbc(database), pg.user(), pg.password())
        .locations("filesystem:" + locations);
    flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    return flyway;
  }

  private static Flyway flyway(String database, Path locations) {
    return flywayConfig(database, locations).load();
  }

  private static String jdbc(String database) {
    return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database;
  }

  private static void execute(String database, String... statements) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc(database), pg.user(), pg.password());
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** Live against the replayed database, both snapshotted as a drift check does. */
  private static List<?> diff(String live, String replayed, String historyTable) throws Exception {
    SnapshotOptions options = SnapshotOptions.defaults().withExcludedTables(Set.of(historyTable));
    return new SchemaDiff().compare(snapshot(live, options), snapshot(replayed, options));
  }

  private static SchemaSnapshot snapshot(String database, SnapshotOptions options) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnectOptions connect = new PgConnectOptions().setHost(pg.host()).setPort(pg.port()).setDatabase(database)
          .setUser(pg.user());
      if (pg.password() != null) {
        connect.setPassword(pg.password());
      }
      Pool pool = PgBuilder.pool().connectingTo(connect).using(vertx).build();
      return new CatalogSnapshotter(options).snapshot(pool).eventually(pool::close).await(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().await();
    }
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
