package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgvigil.checks.history.MigrationSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server-level target ({@code databases: auto}): its keys, what is wrong with them, and the summary. */
class ServerTargetConfigTest {

  @TempDir
  Path dir;

  private PgvigilConfig parse(String yaml) throws ConfigException {
    return new ConfigLoader(Map.of()).parse(yaml, dir, "config.yaml");
  }

  private String problems(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
    assertThat(e).as("expected the config to be rejected").isNotNull();
    return e.getMessage();
  }

  @Test
  void readsAServerLevelTargetBesideAPlainOne() throws Exception {
    PgvigilConfig config = parse("""
        targets:
          - name: app
            url: postgresql://pgvigil@db:5432/app
          - name: fleet
            url: postgresql://pgvigil@db2:5432/postgres
            databases: auto
            include: ["shop_*", billing]
            exclude: ["*_scratch"]
            discoverEvery: 10s
            replicas: [{ name: r1, url: postgresql://pgvigil@db2-replica:5432/postgres }]
            migrations:
              shop_eu: { tool: flyway, locations: [./eu] }
              billing: { tool: prisma }
            watch: { interval: 1s }
        """);
    assertThat(config.targets()).extracting(TargetConfig::name).containsExactly("app");
    assertThat(config.servers()).hasSize(1);
    ServerTargetConfig fleet = config.servers().get(0);
    assertThat(fleet.name()).isEqualTo("fleet");
    assertThat(fleet.home()).isEqualTo("postgres");
    assertThat(fleet.discoverEvery()).isEqualTo(Duration.ofSeconds(10));
    assertThat(fleet.migrations()).containsOnlyKeys("shop_eu", "billing");
    assertThat(fleet.migrations().get("billing")).isInstanceOf(MigrationSource.Prisma.class);
    assertThat(fleet.watches("shop_eu")).isTrue();
    assertThat(fleet.watches("billing")).isTrue();
    assertThat(fleet.watches("shop_scratch")).isFalse();
    assertThat(fleet.watches("orders")).isFalse();
    assertThat(fleet.watches("postgres")).as("the home database is always watched").isTrue();

    TargetConfig eu = fleet.target("shop_eu", Set.of("app"));
    assertThat(eu.name()).isEqualTo("fleet-shop_eu");
    assertThat(eu.url().database()).isEqualTo("shop_eu");
    assertThat(eu.url().host()).isEqualTo("db2");
    assertThat(eu.migrations()).contains(fleet.migrations().get("shop_eu"));
    assertThat(eu.replicas()).as("only the home database probes replication").isEmpty();
    assertThat(fleet.target("postgres", Set.of()).replicas()).extracting(TargetConfig.ReplicaConfig::name)
        .containsExactly("r1");

    assertThat(config.targetsWithMappedDatabases()).as("what drift and review can check")
        .extracting(TargetConfig::name).containsExactly("app", "fleet-billing", "fleet-shop_eu");
    assertThat(String.join("\n", config.describe()))
        .contains("server-level target fleet: every database of postgresql://pgvigil@db2:5432/postgres matching "
            + "shop_*, billing except *_scratch, listed from pg_database in postgres every 10s")
        .contains("replication: probed once, from the target of postgres, replicas r1")
        .contains("migrations: billing prisma");
  }

  @Test
  void discoversEveryThirtySecondsByDefault() throws Exception {
    ServerTargetConfig fleet = parse("""
        targets: [{ name: fleet, url: postgresql://pgvigil@db/postgres, databases: auto }]
        """).servers().get(0);
    assertThat(fleet.discoverEvery()).isEqualTo(Duration.ofSeconds(30));
    assertThat(fleet.watches("anything")).isTrue();
  }

  @Test
  void aSinkCannotBeRoutedByTheServerLevelTargetsName() {
    assertThat(problems("""
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
          - { name: fleet, url: postgresql://pgvigil@db/postgres, databases: auto }
        alerts:
          webhooks: [{ url: https://hooks.example/x, targets: [fleet] }]
        """)).contains("alerts.webhooks[0].targets[0]: 'fleet' is not a configured target");
  }

  @Test
  void reportsEveryProblemOfAServerLevelTarget() {
    String message = problems("""
        targets:
          - name: app
            url: postgresql://pgvigil@db:5432/app
            include: [app]
            discoverEvery: 10s
          - name: fleet
            url: postgresql://pgvigil@db:5432/postgres
            databases: all
          - name: fleet2
            url: postgresql://pgvigil@db:5432/postgres
            databases: auto
            include: ["shop_[ab]", ""]
            exclude: []
            discoverEvery: -1s
          - name: fleet3
            url: postgresql://pgvigil@db:5432/postgres
            databases: auto
            exclude: ["old_*"]
            migrations: { old_shop: { tool: flyway }, shop: { tool: liquibase } }
          - name: fleet4
            url: postgresql://pgvigil@db:5432/postgres
            databases: auto
            migrations: { tool: flyway }
        """);
    assertThat(message).contains(
        "targets[0].include: only applies to a server-level target; add databases: auto",
        "targets[0].discoverEvery: only applies to a server-level target",
        "targets[1].databases: 'all' is not one of auto",
        "targets[2].include[0]: 'shop_[ab]' contains '['; only * (any characters) and ? (one character) are "
            + "wildcards",
        "targets[2].include[1]: is empty; give a database name or a pattern such as app_*",
        "targets[2].exclude: is empty; list at least one database name or pattern, or remove the key",
        "targets[2].discoverEvery: '-1s' must be a positive duration",
        "targets[3].migrations.old_shop: database 'old_shop' is not watched: include/exclude leave it out",
        "targets[3].migrations.shop.tool: 'liquibase' is not one of flyway, prisma",
        "targets[4].migrations: with databases: auto, maps database names to migration sources, e.g. "
            + "migrations: { orders: { tool: flyway, locations: [./db/migration] } }");
  }

  @Test
  void rejectsATargetNameThatStartsWithAServerLevelTargetsPrefix() {
    // prod + database eu-orders and prod-eu + database orders would both make prod-eu-orders.
    String message = problems("""
        targets:
          - { name: prod, url: postgresql://pgvigil@db:5432/postgres, databases: auto }
          - { name: prod-eu, url: postgresql://pgvigil@db2:5432/postgres, databases: auto }
          - { name: prod-app, url: postgresql://pgvigil@db3:5432/app }
          - { name: production, url: postgresql://pgvigil@db4:5432/app }
        """);
    assertThat(message)
        .contains("'prod-eu' starts with 'prod-', the prefix of the targets that server-level target 'prod'")
        .contains("'prod-app' starts with 'prod-'")
        .doesNotContain("'production'");
  }

  @Test
  void acceptsServerLevelTargetsWhoseNamesAreNotEachOthersPrefix() throws Exception {
    PgvigilConfig config = parse("""
        targets:
          - { name: prod, url: postgresql://pgvigil@db:5432/postgres, databases: auto }
          - { name: production, url: postgresql://pgvigil@db2:5432/postgres, databases: auto }
          - { name: app, url: postgresql://pgvigil@db3:5432/app }
        """);
    assertThat(config.servers()).extracting(ServerTargetConfig::name).containsExactly("prod", "production");
  }

  @Test
  void warnsWhenExcludeMatchesTheHomeDatabase() throws Exception {
    PgvigilConfig config = parse("""
        targets:
          - { name: fleet, url: postgresql://pgvigil@db:5432/postgres, databases: auto, exclude: ["post*"] }
        """);
    assertThat(String.join("\n", config.describe()))
        .contains("warning: exclude matches postgres, the URL's database, which is watched anyway");
  }
}
