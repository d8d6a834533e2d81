package io.pgvigil.daemon.discovery;

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
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server-level target ({@code databases: auto}) on a live cluster: the databases the patterns let through are
 * watched, one created while the daemon runs is picked up, one dropped {@code WITH (FORCE)} is retired with its
 * series, only the home database probes replication, and a database the migrations map gets a drift result. Each
 * test has databases of its own (a prefix its patterns include) and drops them when it ends, so any order works.
 */
@ExtendWith(PostgresExtension.class)
class DatabaseDiscoveryIT {

  @TempDir
  Path repo;

  private static String jdbc(TestPostgres pg, String database) {
    return pg.jdbcUrl().replaceFirst("/" + pg.database() + "\\?", "/" + database + "?");
  }

  private static String url(TestPostgres pg, String database) {
    return pg.uri().replaceFirst("/" + pg.database() + "$", "/" + database);
  }

  private static void create(TestPostgres pg, String... databases) throws SQLException {
    Sql.execute(pg, Arrays.stream(databases).map(d -> "CREATE DATABASE " + d).toArray(String[]::new));
  }

  private static void drop(TestPostgres pg, String... databases) throws SQLException {
    Sql.execute(pg, Arrays.stream(databases).map(d -> "DROP DATABASE IF EXISTS " + d + " WITH (FORCE)")
        .toArray(String[]::new));
  }

  /** The databases of the test whose prefix is {@code prefix}: {@code <prefix>_*} but not {@code <prefix>_tmp*}. */
  private TestDaemon fleet(TestPostgres pg, String prefix, String discoverEvery, String watch) {
    return TestDaemon.watching("fleet", url(pg, "postgres"))
        .settings("databases: auto, include: [\"" + prefix + "_*\"], exclude: [\"" + prefix + "_tmp*\"], "
            + "discoverEvery: " + discoverEvery)
        .watch(watch).in(repo);
  }

  private TestDaemon fleet(TestPostgres pg, String prefix, String discoverEvery) {
    return fleet(pg, prefix, discoverEvery, "interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms");
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
  void watchesTheMatchingDatabasesPicksUpANewOneAndRetiresADroppedOne(TestPostgres pg) throws Exception {
    String[] databases = {"d1_eu", "d1_tmp1", "d1_gone", "d1_closed", "d1_us"};
    try {
      create(pg, "d1_eu", "d1_tmp1", "d1_gone", "d1_closed");
      Sql.execute(pg, "ALTER DATABASE d1_closed ALLOW_CONNECTIONS false");
      Path migrations = Files.createDirectories(repo.resolve("db/migration"));
      Files.writeString(migrations.resolve("V1__create_orders.sql"),
          "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);\n");
      Demo.migrate(jdbc(pg, "d1_eu"), migrations);

      // With d1_eu's migrations mapped, its drift check replays them on an embedded shadow at start: the test
      // waits for its result before stopping (a stop in the middle of the replay ends it on a closed Vert.x).
      TestDaemon config = fleet(pg, "d1", "1s")
          .settings("migrations: { d1_eu: { tool: flyway, locations: [./db/migration] } }, drift: { interval: 1h }");
      try (RunningDaemon daemon = config.start()) {
        Http http = new Http(daemon.port());
        // Listed before the API listens: every matching database is a target from the first request on.
        assertThat(targets(http)).containsExactly("fleet-d1_eu", "fleet-d1_gone", "fleet-postgres");
        assertThat(targets(http).stream().collect(Collectors.joining())).doesNotContain("closed", "tmp");

        assertThat(check(http, "fleet-postgres", "replication")).as("the home database probes replication")
            .isPresent();
        assertThat(check(http, "fleet-d1_eu", "replication")).as("one replication probe per server").isEmpty();
        assertThat(check(http, "fleet-d1_gone", "replication")).isEmpty();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
            new JsonObject(http.get("/api/v1/targets/fleet-d1_eu/drift").body()).getString("status"))
            .as("the mapped database's drift").isEqualTo("clean"));
        assertThat(new JsonObject(http.get("/api/v1/targets/fleet-d1_gone/drift").body()).getString("error"))
            .as("an unmapped database has no drift check").isNotNull();

        create(pg, "d1_us");
        long created = System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          assertThat(targets(http)).contains("fleet-d1_us");
          assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_up{target=\"fleet-d1_us\"}")).isEqualTo(1.0);
          assertThat(check(http, "fleet-d1_us", "locks").orElseThrow().getInteger("runs")).isPositive();
        });
        System.out.printf("DatabaseDiscoveryIT: a created database was polled %d ms after CREATE DATABASE%n",
            (System.nanoTime() - created) / 1_000_000);

        drop(pg, "d1_us");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
          assertThat(targets(http)).doesNotContain("fleet-d1_us");
          assertThat(http.get("/api/v1/targets/fleet-d1_us").statusCode()).isEqualTo(404);
          assertThat(http.get("/metrics").body()).doesNotContain("target=\"fleet-d1_us\"");
        });
        assertThat(targets(http)).containsExactly("fleet-d1_eu", "fleet-d1_gone", "fleet-postgres");
        assertThat(Http.sample(http.get("/metrics").body(), "pgvigil_up{target=\"fleet-d1_eu\"}")).isEqualTo(1.0);
      }
    } finally {
      drop(pg, databases);
    }
  }

  @Test
  void aDatabaseDroppedWithForceIsRetiredAtOnceNotAtTheNextListing(TestPostgres pg) throws Exception {
    try {
      create(pg, "d2_gone", "d2_kept");
      try (RunningDaemon daemon = fleet(pg, "d2", "1h").start()) {
        Http http = new Http(daemon.port());
        assertThat(targets(http)).containsExactly("fleet-d2_gone", "fleet-d2_kept", "fleet-postgres");
        await().atMost(Duration.ofSeconds(15)).until(() -> check(http, "fleet-d2_gone", "locks")
            .map(c -> c.getInteger("runs") > 0).orElse(false));

        long dropped = System.nanoTime();
        // pgvigil's sessions hold the database open: FORCE ends them, and the target that lost them asks for a
        // listing.
        drop(pg, "d2_gone");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(targets(http)).doesNotContain("fleet-d2_gone");
          assertThat(http.get("/metrics").body()).doesNotContain("target=\"fleet-d2_gone\"");
        });
        System.out.printf("DatabaseDiscoveryIT: a database dropped WITH (FORCE) was retired %d ms after the DROP%n",
            (System.nanoTime() - dropped) / 1_000_000);
        assertThat(targets(http)).containsExactly("fleet-d2_kept", "fleet-postgres");
      }
    } finally {
      drop(pg, "d2_gone", "d2_kept");
    }
  }

  @Test
  void aPlainDropDatabaseSucceedsWhileTheDatabaseIsWatched(TestPostgres pg) throws Exception {
    try {
      create(pg, "d3_plain", "d3_kept");
      // DROP DATABASE waits 5 s for the other sessions to leave; pgvigil looks for its lock every interval. At
      // 100 ms that is some fifty looks in the 5 s, so a loaded machine that delays or times out a few still lets go
      // in time (a look that times out is simply made again at the next tick).
      TestDaemon config = fleet(pg, "d3", "1h", "interval: 100ms, windowInterval: 100ms, statementTimeout: 80ms");
      try (RunningDaemon daemon = config.start()) {
        Http http = new Http(daemon.port());
        await().atMost(Duration.ofSeconds(15)).until(() -> check(http, "fleet-d3_plain", "locks")
            .map(c -> c.getInteger("runs") > 0).orElse(false));
        long dropped = System.nanoTime();
        Sql.execute(pg, "DROP DATABASE d3_plain");
        System.out.printf("DatabaseDiscoveryIT: a plain DROP DATABASE of a watched database took %d ms%n",
            (System.nanoTime() - dropped) / 1_000_000);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
          assertThat(targets(http)).containsExactly("fleet-d3_kept", "fleet-postgres");
          assertThat(http.get("/metrics").body()).doesNotContain("target=\"fleet-d3_plain\"");
        });
      }
    } finally {
      drop(pg, "d3_plain", "d3_kept");
    }
  }

  @Test
  void twoInstancesWatchTheSameTargetsAndEachIsOwnedByOne(TestPostgres pg) throws Exception {
    try {
      create(pg, "d4_eu");
      try (RunningDaemon first = fleet(pg, "d4", "1s").start(); RunningDaemon second = fleet(pg, "d4", "1s").start()) {
        Http one = new Http(first.port());
        Http two = new Http(second.port());
        assertThat(targets(two)).isEqualTo(targets(one)).containsExactly("fleet-d4_eu", "fleet-postgres");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          for (String target : targets(one)) {
            boolean here = new JsonObject(one.get("/api/v1/targets/" + target).body()).getBoolean("ownedHere");
            boolean there = new JsonObject(two.get("/api/v1/targets/" + target).body()).getBoolean("ownedHere");
            assertThat(here ^ there).as(target + " is owned by exactly one instance").isTrue();
          }
        });
      }
    } finally {
      drop(pg, "d4_eu");
    }
  }

  @Test
  void aServerDownAtStartDoesNotStopTheDaemonAndIsListedWhenItIsBack(TestPostgres pg) throws Exception {
    create(pg, "d5_eu");
    pg.stop();
    try (RunningDaemon daemon = fleet(pg, "d5", "1s").start()) {
      Http http = new Http(daemon.port());
      assertThat(targets(http)).isEmpty();
      assertThat(http.get("/readyz").statusCode()).isEqualTo(503);
      pg.start();
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(targets(http)).containsExactly("fleet-d5_eu", "fleet-postgres");
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
      });
    } finally {
      pg.start();
      drop(pg, "d5_eu");
    }
  }

  @Test
  void aDatabaseAConfiguredTargetWatchesIsNotDiscoveredAgain(TestPostgres pg) throws Exception {
    try {
      create(pg, "d6_orders", "d6_other");
      TestDaemon config = fleet(pg, "d6", "1s").and("orders", url(pg, "d6_orders"));
      try (RunningDaemon daemon = config.start()) {
        Http http = new Http(daemon.port());
        // One database, one target, one lock: two would let two instances act on it at once.
        assertThat(targets(http)).containsExactly("fleet-d6_other", "fleet-postgres", "orders");
      }
    } finally {
      drop(pg, "d6_orders", "d6_other");
    }
  }

  @Test
  void aDatabaseTheRoleCannotConnectToIsNotWatched(TestPostgres pg) throws Exception {
    try {
      create(pg, "d7_open", "d7_locked");
      Sql.execute(pg, "CREATE ROLE d7_watcher LOGIN", "REVOKE CONNECT ON DATABASE d7_locked FROM PUBLIC");
      // Not a superuser: a superuser may connect anywhere, whatever was revoked.
      String url = url(pg, "postgres").replaceFirst("://[^@/]*@", "://d7_watcher@");
      TestDaemon config = TestDaemon.watching("fleet", url)
          .settings("databases: auto, include: [\"d7_*\"], discoverEvery: 1h")
          .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms").in(repo);
      try (RunningDaemon daemon = config.start()) {
        assertThat(targets(new Http(daemon.port()))).containsExactly("fleet-d7_open", "fleet-postgres");
      }
    } finally {
      drop(pg, "d7_open", "d7_locked");
      Sql.execute(pg, "DROP ROLE IF EXISTS d7_watcher");
    }
  }
}
