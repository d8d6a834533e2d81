package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.demo.Demo;
import io.pgvigil.daemon.testing.CliRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kinds beyond the structure through the {@code drift} command, each replayed into an embedded shadow: a revoked
 * grant, a changed comment, a changed statistics target and changed default privileges are found when
 * {@code drift.compare} lists them and not otherwise, their fixes bring live back, and {@code drift.roleMap} makes a
 * grant to a differently named live role match the history's. The history grants to a role only live has, which the
 * embedded shadow makes before the replay.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriftKindsIT {

  @TempDir
  static Path repo;
  static TestPostgres pg;

  @BeforeAll
  static void migrate(TestPostgres server) throws Exception {
    pg = server;
    Path migrations = Files.createDirectories(repo.resolve("db/migration"));
    // The role the history grants to is the live server's, not the history's: the embedded shadow makes it.
    Sql.execute(pg, "CREATE ROLE kinds_reader NOLOGIN");
    Files.writeString(migrations.resolve("V1__orders.sql"), """
        CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL);
        COMMENT ON TABLE orders IS 'One row per checkout';
        ALTER TABLE orders ALTER COLUMN status SET STATISTICS 500;
        GRANT SELECT ON orders TO kinds_reader;
        ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO kinds_reader;
        """);
    Demo.migrate(pg.jdbcUrl(), migrations);
  }

  @Test
  @Order(1)
  void findsEachKindWhenComparedAndNoneWhenSwitchedOff() throws Exception {
    Sql.execute(pg, "REVOKE SELECT ON orders FROM kinds_reader",
        "COMMENT ON TABLE orders IS 'Orders'",
        "ALTER TABLE orders ALTER COLUMN status SET STATISTICS 100",
        "ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM kinds_reader");

    CliRun all = drift("compare: [comments, statistics, grants, defaultPrivileges]");
    assertThat(all.exit()).as(all.err() + all.out()).isEqualTo(2);
    JsonArray findings = findings(all);
    assertThat(findings.stream().map(f -> describe((JsonObject) f))).containsExactlyInAnyOrder(
        "column public.orders.status changed performance",
        "comment table public.orders changed cosmetic",
        "grant table public.orders to kinds_reader missing security",
        "default_privileges tables for role " + pg.user() + " to kinds_reader missing security");
    assertThat(sql(findings, "grant")).isEqualTo("GRANT SELECT ON TABLE public.orders TO kinds_reader;");

    CliRun none = drift("compare: []");
    assertThat(none.exit()).as(none.err() + none.out()).isEqualTo(0);
    CliRun byDefault = drift("interval: 1h");
    assertThat(findings(byDefault).stream().map(f -> ((JsonObject) f).getString("kind")))
        .containsExactlyInAnyOrder("column", "comment");

    for (Object finding : findings) {
      Sql.execute(pg, ((JsonObject) finding).getString("suggestedSql"));
    }
    CliRun fixed = drift("compare: [comments, statistics, grants, defaultPrivileges]");
    assertThat(fixed.exit()).as(fixed.out()).isEqualTo(0);
  }

  @Test
  @Order(2)
  void mapsTheHistorysRoleToTheLiveOneItStandsFor() throws Exception {
    Sql.execute(pg, "CREATE ROLE kinds_live_reader NOLOGIN",
        "REVOKE SELECT ON orders FROM kinds_reader", "GRANT SELECT ON orders TO kinds_live_reader");

    CliRun unmapped = drift("compare: [grants]");
    assertThat(findings(unmapped).stream().map(f -> describe((JsonObject) f))).containsExactlyInAnyOrder(
        "grant table public.orders to kinds_reader missing security",
        "grant table public.orders to kinds_live_reader unexpected security");
    CliRun mapped = drift("compare: [grants], roleMap: { kinds_reader: kinds_live_reader }");
    assertThat(mapped.exit()).as(mapped.out()).isEqualTo(0);
  }

  private static CliRun drift(String settings) throws Exception {
    Path config = Files.writeString(repo.resolve("pgvigil.yaml"), """
        targets:
          - name: app
            url: postgresql://%s@%s:%d/%s
            migrations: { tool: flyway, locations: [./db/migration] }
            drift: { %s }
        """.formatted(pg.user(), pg.host(), pg.port(), pg.database(), settings));
    return run("drift", "--config", config.toString(), "--format", "json");
  }

  private static JsonArray findings(CliRun result) {
    JsonObject target = new JsonObject(result.out()).getJsonArray("targets").getJsonObject(0);
    assertThat(target.getJsonObject("structure")).as(result.out()).isNotNull();
    return target.getJsonObject("structure").getJsonArray("findings");
  }

  private static String describe(JsonObject finding) {
    return String.join(" ", List.of(finding.getString("kind"), finding.getString("object"),
        finding.getString("change"), finding.getString("severity")));
  }

  private static String sql(JsonArray findings, String kind) {
    return findings.stream().map(JsonObject.class::cast).filter(f -> f.getString("kind").equals(kind))
        .findFirst().orElseThrow().getString("suggestedSql");
  }
}
