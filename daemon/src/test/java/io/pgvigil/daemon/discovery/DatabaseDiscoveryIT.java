package io.pgvigil.daemon.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
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
 * A server-level target ({@code databases: auto}) on a live cluster: the databases the patterns let through are
 * watched, one created while the daemon runs is picked up, one dropped {@code WITH (FORCE)} is retired with its
 * series, only the home database probes replication, and a database the migrations map gets a drift result.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseDiscoveryIT {

  @TempDir
  static Path repo;

  @BeforeAll
  static void databases(TestPostgres pg) throws Exception {
    Path migrations = Files.createDirectories(repo.resolve("db/migration"));
    Files.writeString(migrations.resolve("V1__create_orders.sql"),
        "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);\n");
    Sql.execute(pg, "CREATE DATABASE shop_eu", "CREATE DATABASE shop_tmp1", "CREATE DATABASE other",
        "CREATE DATABASE shop_gone", "CREATE DATABASE shop_plain", "CREATE DATABASE shop_closed",
        "ALTER DATABASE shop_closed ALLOW_CONNECTIONS false");
    FluentConfiguration flyway = Flyway.configure().dataSource(jdbc(pg, "shop_eu"), null, null)
        .locations("filesystem:" + migrations);
    flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    flyway.load().migrate();
  }

  private static String jdbc(TestPostgres pg, String database) {
    return pg.jdbcUrl().replaceFirst("/" + pg.database() + "\\?", "/" + database + "?");
  }

  private static TestDaemon fleet(TestPostgres pg, String discoverEvery) {
    String url = pg.uri().replaceFirst("/" + pg.database() + "$", "/postgres");
    return TestDaemon.watching("fleet", url)
        .settings("databases: auto, include: [\"shop_*\"], exclude: [\"shop_tmp*\"], discoverEvery: " + discoverEvery)
        .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms").in(repo);
  }

  /**
   * With shop_eu's migrations mapped: its drift check replays them on an embedded shadow at start. Wait for its
   * result before stopping such a daemon: a stop in the middle of the replay ends it on a closed Vert.x.
   */
  private static TestDaemon fleetWithDrift(TestPostgres pg, String discoverEvery) {
    return fleet(pg, discoverEvery)
        .settings("migrations: { shop_eu: { tool: flyway, locations: [./db/migration] } }, drift: { interval: 1h }");
  }

  private static List<String> targets(Http http) {
    JsonArray all = new JsonObject(http.get("/api/v1/targets").body()).getJsonArray("targets");
    return all.stream().map(t -> ((JsonObject) t).getString("name")).sorted().toList();
  }

  private static Optional<JsonObject> check(Http http, String target, String check) {
    JsonObject status = new JsonObject(http.get("/api/v1/targets/" + target).body());
    JsonArray checks = status.getJsonArray("checks", new JsonArray());
    return checks.stream().map(JsonObject.class::cast).filter(c -> c.getString("name").equals(check)).findFirst();
  }

  @Test
  @Order(1)
  void watchesTheMatchingDatabasesPicksUpANewOneAndRetiresADroppedOne(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = fleetWithDrift(pg, "1s").start()) {
      Http http = new Http(daemon.port());
      // Listed before the API listens: every matching database is a target from the first request on.
      assertThat(targets(http)).containsExactly("fleet-postgres", "fleet-shop_eu", "fleet-shop_gone",
          "fleet-shop_plain");

      assertThat(check(http, "fleet-postgres", "replication")).as("the home database probes replication").isPresent();
      assertThat(check(http, "fleet-shop_eu", "replication")).as("one replication probe per server").isEmpty();
      assertThat(check(http, "fleet-shop_gone", "replication")).isEmpty();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
          new JsonObject(http.get("/api/v1/targets/fleet-shop_eu/drift").body()).getString("status"))
          .as("the mapped database's drift").isEqualTo("clean"));
      assertThat(new JsonObject(http.get("/api/v1/targets/fleet-shop_gone/drift").body()).getString("error"))
          .as("an unmapped database has no drift check").isNotNull();

      Sql.execute(pg, "CREATE DATABASE shop_us");
      long created = System.nanoTime();
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(targets(http)).contains("fleet-shop_us");
        assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_up{target=\"fleet-shop_us\"}")).isEqualTo(1.0);
        assertThat(check(http, "fleet-shop_us", "locks").orElseThrow().getInteger("runs")).isPositive();
      });
      System.out.printf("DatabaseDiscoveryIT: a created database was polled %d ms after CREATE DATABASE%n",
          (System.nanoTime() - created) / 1_000_000);

      Sql.execute(pg, "DROP DATABASE shop_us WITH (FORCE)");
      await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
        assertThat(targets(http)).doesNotContain("fleet-shop_us");
        assertThat(http.get("/api/v1/targets/fleet-shop_us").statusCode()).isEqualTo(404);
        assertThat(http.get("/metrics").body()).doesNotContain("target=\"fleet-shop_us\"");
      });
      assertThat(targets(http)).containsExactly("fleet-postgres", "fleet-shop_eu", "fleet-shop_gone",
          "fleet-shop_plain");
      assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_up{target=\"fleet-shop_eu\"}")).isEqualTo(1.0);
    }
  }

  @Test
  @Order(2)
  void aDatabaseDroppedWithForceIsRetiredAtOnceNotAtTheNextListing(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = fleet(pg, "1h").start()) {
      Http http = new Http(daemon.port());
      assertThat(targets(http)).contains("fleet-shop_gone");
      await().atMost(Duration.ofSeconds(15)).until(() -> check(http, "fleet-shop_gone", "locks")
          .map(c -> c.getInteger("runs") > 0).orElse(false));

      long dropped = System.nanoTime();
      // pgvigil's sessions hold the database open: FORCE ends them, and the target that lost them asks for a listing.
      Sql.execute(pg, "DROP DATABASE shop_gone WITH (FORCE)");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(targets(http)).doesNotContain("fleet-shop_gone");
        assertThat(http.get("/metrics").body()).doesNotContain("target=\"fleet-shop_gone\"");
      });
      System.out.printf("DatabaseDiscoveryIT: a database dropped WITH (FORCE) was retired %d ms after the DROP%n",
          (System.nanoTime() - dropped) / 1_000_000);
      assertThat(targets(http)).containsExactly("fleet-postgres", "fleet-shop_eu", "fleet-shop_plain");
      assertThat(targets(http).stream().collect(Collectors.joining())).doesNotContain("closed", "tmp", "other");
    }
  }

  @Test
  @Order(4)
  void twoInstancesWatchTheSameTargetsAndEachIsOwnedByOne(TestPostgres pg) throws Exception {
    try (RunningDaemon first = fleet(pg, "1s").start(); RunningDaemon second = fleet(pg, "1s").start()) {
      Http one = new Http(first.port());
      Http two = new Http(second.port());
      assertThat(targets(two)).isEqualTo(targets(one)).containsExactly("fleet-postgres", "fleet-shop_eu");
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        for (String target : targets(one)) {
          boolean here = new JsonObject(one.get("/api/v1/targets/" + target).body()).getBoolean("ownedHere");
          boolean there = new JsonObject(two.get("/api/v1/targets/" + target).body()).getBoolean("ownedHere");
          assertThat(here ^ there).as(target + " is owned by exactly one instance").isTrue();
        }
      });
    }
  }

  @Test
  @Order(5)
  void aServerDownAtStartDoesNotStopTheDaemonAndIsListedWhenItIsBack(TestPostgres pg) throws Exception {
    pg.stop();
    try (RunningDaemon daemon = fleet(pg, "1s").start()) {
      Http http = new Http(daemon.port());
      assertThat(targets(http)).isEmpty();
      assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
      pg.start();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(targets(http)).containsExactly("fleet-postgres", "fleet-shop_eu");
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
      });
    } finally {
      pg.start();
    }
  }

  @Test
  @Order(3)
  void aPlainDropDatabaseSucceedsWhileTheDatabaseIsWatched(TestPostgres pg) throws Exception {
    try (RunningDaemon daemon = fleet(pg, "1h").start()) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(15)).until(() -> check(http, "fleet-shop_plain", "locks")
          .map(c -> c.getInteger("runs") > 0).orElse(false));
      long dropped = System.nanoTime();
      // DROP DATABASE waits 5 s for other sessions to leave: pgvigil sees its lock and leaves in time.
      Sql.execute(pg, "DROP DATABASE shop_plain");
      System.out.printf("DatabaseDiscoveryIT: a plain DROP DATABASE of a watched database took %d ms%n",
          (System.nanoTime() - dropped) / 1_000_000);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(targets(http)).containsExactly("fleet-postgres", "fleet-shop_eu");
        assertThat(http.get("/metrics").body()).doesNotContain("target=\"fleet-shop_plain\"");
      });
    }
  }
}
