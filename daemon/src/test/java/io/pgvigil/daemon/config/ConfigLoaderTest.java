package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.alerts.Severity;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.IgnorePattern;
import io.pgvigil.checks.schema.ObjectKind;
import io.pgvigil.common.SecretValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private static final AlertsConfig.Routing ALL_ROUTES =
      new AlertsConfig.Routing(Set.of(), Set.of());

  /** The SPEC example, with substitutions inside {@code { }} quoted as YAML flow syntax requires. */
  static final String SPEC_EXAMPLE = """
      server:
        listen: 0.0.0.0:8080
        apiToken: ${env:PGVIGIL_API_TOKEN}    # required for mutating endpoints
      targets:
        - name: app
          url: postgresql://pgvigil@db:5432/app
          password: ${file:secrets/pg}
          replicas: [{ name: replica-1, url: postgresql://pgvigil@replica:5432/app }]
          migrations: { tool: flyway, locations: [./db/migration], table: flyway_schema_history, schemas: [public] }
          shadow: { mode: embedded }
          drift: { interval: 5m, ignore: ["table:public.tmp_*"] }
          watch: { interval: 1s, windowInterval: 250ms }
      rules:
        lockWait:        { warn: 2s, abort: 5s, for: 0s }
        lockQueue:       { warn: 5, abort: 20 }
        replicationLag:  { warn: 10s, abort: 60s, for: 5s }
        ddlRuntime:      { warn: 60s }
        idleInTransaction: { warn: 60s }
      alerts:
        slack:     { webhookUrl: "${env:SLACK_WEBHOOK_URL}" }
        pagerduty: { routingKey: "${env:PD_ROUTING_KEY}" }
        webhooks:  [{ url: https://ci.example/abort, secret: "${env:HOOK_SECRET}" }]
        alertmanager: { url: http://alertmanager:9093 }
      killSwitch:
        mode: dry-run           # dry-run | cancel | cancel-and-terminate-blockers
        hooks: [{ exec: ["/hooks/abort-deploy.sh"] }]
      """;

  static final Map<String, String> ENV = Map.of(
      "PGVIGIL_API_TOKEN", "api-token-value",
      "SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T0/B0/xyz",
      "PD_ROUTING_KEY", "0123456789abcdef0123456789abcdef",
      "HOOK_SECRET", "hook-secret-value");

  @TempDir
  Path dir;

  @Test
  void parsesTheSpecExampleWithSubstitutionsAndDefaults() throws Exception {
    Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(dir.resolve("secrets/pg"), "pg-password-value\n\n");

    PgvigilConfig config = new ConfigLoader(ENV).parse(SPEC_EXAMPLE, dir, "config");

    assertThat(config.server())
        .isEqualTo(new ServerConfig("0.0.0.0", 8080, Optional.of(SecretValue.of("api-token-value")),
            Optional.empty(), Optional.empty(), ClusterConfig.OFF));
    assertThat(config.targets()).hasSize(1);
    TargetConfig app = config.targets().get(0);
    assertThat(app.name()).isEqualTo("app");
    assertThat(app.url()).isEqualTo(new DatabaseUrl("db", 5432, "app", "pgvigil",
        Optional.of(SecretValue.of("pg-password-value")), Map.of()));
    assertThat(app.connectTimeout()).isEqualTo(TargetConfig.DEFAULT_CONNECT_TIMEOUT);
    assertThat(app.replicas()).containsExactly(new TargetConfig.ReplicaConfig("replica-1",
        DatabaseUrl.parse("postgresql://pgvigil@replica:5432/app")));
    assertThat(app.migrations()).contains(new MigrationSource.Flyway(
        List.of(dir.resolve("db/migration")), "flyway_schema_history", List.of("public"), false));
    assertThat(app.shadow()).isEqualTo(ShadowConfig.DEFAULT);
    assertThat(app.drift()).isEqualTo(new DriftConfig(Duration.ofMinutes(5),
        List.of(new IgnorePattern(ObjectKind.TABLE, "public.tmp_*"))));
    assertThat(app.watch()).isEqualTo(new WatchConfig(Duration.ofSeconds(1), Duration.ofMillis(250),
        WatchConfig.DEFAULT_STATEMENT_TIMEOUT, true, List.of()));
    assertThat(config.rules()).isEqualTo(Rules.DEFAULT);
    assertThat(config.alerts()).isEqualTo(new AlertsConfig(
        Optional.of(new AlertsConfig.Slack(SecretValue.of("https://hooks.slack.com/services/T0/B0/xyz"),
            ALL_ROUTES)),
        Optional.of(new AlertsConfig.PagerDuty(SecretValue.of("0123456789abcdef0123456789abcdef"),
            Optional.empty(), ALL_ROUTES)),
        List.of(new AlertsConfig.Webhook("webhook-1", SecretValue.of("https://ci.example/abort"),
            Optional.of(SecretValue.of("hook-secret-value")), ALL_ROUTES)),
        Optional.of(new AlertsConfig.Alertmanager(java.net.URI.create("http://alertmanager:9093"),
            ALL_ROUTES)),
        AlertsConfig.DEFAULT_REPEAT_INTERVAL, true, Optional.empty(), false, AlertsConfig.Spool.DEFAULT));
    assertThat(config.killSwitch()).isEqualTo(new KillSwitchConfig(KillSwitchConfig.Mode.DRY_RUN,
        List.of(new KillSwitchConfig.ExecHook(List.of("/hooks/abort-deploy.sh"))),
        KillSwitchConfig.Terminate.NONE, Optional.empty()));
  }

  @Test
  void appliesEveryDefaultToAMinimalConfig() throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of()).parse("""
        targets:
          - name: app
            url: postgresql://pgvigil@db/app
        """, dir, "config");

    assertThat(config.server()).isEqualTo(ServerConfig.DEFAULT);
    TargetConfig app = config.targets().get(0);
    assertThat(app.replicas()).isEmpty();
    assertThat(app.migrations()).isEmpty();
    assertThat(app.shadow()).isEqualTo(ShadowConfig.DEFAULT);
    assertThat(app.drift()).isEqualTo(DriftConfig.DEFAULT);
    assertThat(app.watch()).isEqualTo(WatchConfig.DEFAULT);
    assertThat(config.rules()).isEqualTo(Rules.DEFAULT);
    assertThat(config.alerts()).isEqualTo(AlertsConfig.NONE);
    assertThat(config.killSwitch()).isEqualTo(KillSwitchConfig.DEFAULT);
  }

  @Test
  void substitutesInsideLargerStringsAndKeepsEscapedPlaceholdersLiteral() throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of("DB_HOST", "db.internal")).parse("""
        targets:
          - name: app
            url: postgresql://u@${env:DB_HOST}:6432/app$${literal}
        """, dir, "config");

    DatabaseUrl url = config.targets().get(0).url();
    assertThat(url.host()).isEqualTo("db.internal");
    assertThat(url.port()).isEqualTo(6432);
    assertThat(url.database()).isEqualTo("app${literal}");
  }

  @Test
  void separatePasswordOverridesThePasswordInTheUrl() throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of("PW", "from-env")).parse("""
        targets:
          - name: app
            url: postgresql://u:from-url@db/app
            password: ${env:PW}
        """, dir, "config");

    assertThat(config.targets().get(0).url().password()).contains(SecretValue.of("from-env"));
  }

  @Test
  void readsPrismaShadowUrlRulesAndHooks() throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of("SHADOW_PW", "shadow-pw")).parse("""
        server: { listen: "[::1]:0" }
        targets:
          - name: billing
            url: postgres://billing@billing-db/billing
            connectTimeout: 2s
            migrations: { tool: prisma }
            shadow: { mode: url, url: "postgresql://pgvigil@shadow/postgres", password: "${env:SHADOW_PW}" }
            watch: { interval: 2s, windowInterval: 2s, statementTimeout: 1500ms }
        rules:
          lockWait: { abort: 10s }
          lockQueue: { warn: 3, for: 2s }
        killSwitch:
          mode: cancel-and-terminate-blockers
          terminate: { roles: [app] }
          hooks: [{ webhook: "https://ci.example/hook?token=abc" }]
        """, dir, "config");

    assertThat(config.server().listen()).isEqualTo("[::1]:0");
    TargetConfig billing = config.targets().get(0);
    assertThat(billing.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(billing.migrations()).contains(new MigrationSource.Prisma(dir.resolve("prisma/migrations")));
    assertThat(billing.shadow().mode()).isEqualTo(ShadowConfig.Mode.URL);
    assertThat(billing.shadow().url().flatMap(DatabaseUrl::password)).contains(SecretValue.of("shadow-pw"));
    assertThat(billing.watch().statementTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.rules().threshold(RuleKind.LOCK_WAIT, true))
        .isEqualTo(new Threshold(Optional.empty(), Optional.of(10.0), Duration.ZERO));
    assertThat(config.rules().threshold(RuleKind.LOCK_QUEUE, true))
        .isEqualTo(new Threshold(Optional.of(3.0), Optional.empty(), Duration.ofSeconds(2)));
    assertThat(config.rules().threshold(RuleKind.REPLICATION_LAG, true))
        .isEqualTo(RuleKind.REPLICATION_LAG.defaults());
    // Outside windows: the abort-only rule warns at its abort level and never aborts.
    assertThat(config.rules().threshold(RuleKind.LOCK_WAIT, false))
        .isEqualTo(new Threshold(Optional.of(10.0), Optional.empty(), Duration.ZERO));
    assertThat(config.killSwitch().mode()).isEqualTo(KillSwitchConfig.Mode.CANCEL_AND_TERMINATE_BLOCKERS);
    assertThat(config.killSwitch().hooks())
        .containsExactly(new KillSwitchConfig.WebhookHook(SecretValue.of("https://ci.example/hook?token=abc")));
  }

  @Test
  void loadsAFileAndResolvesRelativePathsAgainstItsDirectory() throws Exception {
    Path configDir = Files.createDirectories(dir.resolve("etc"));
    Files.writeString(configDir.resolve("pg.secret"), "from-file\n");
    Path file = Files.writeString(configDir.resolve("pgvigil.yaml"), """
        targets:
          - name: app
            url: postgresql://u@db/app
            password: ${file:pg.secret}
            migrations: { tool: flyway, locations: [../migrations, "filesystem:sql"] }
        """);

    PgvigilConfig config = new ConfigLoader(Map.of()).load(file);

    TargetConfig app = config.targets().get(0);
    assertThat(app.url().password()).contains(SecretValue.of("from-file"));
    assertThat(app.migrations()).contains(new MigrationSource.Flyway(
        List.of(dir.resolve("migrations"), configDir.resolve("sql")),
        MigrationSource.Flyway.DEFAULT_TABLE, MigrationSource.Flyway.DEFAULT_SCHEMAS, false));
  }

  @Test
  void readsFlywaysMixedSettingWhichDefaultsToFalse() throws Exception {
    PgvigilConfig mixed = new ConfigLoader(Map.of()).parse("""
        targets:
          - name: app
            url: postgresql://u@db/app
            migrations: { tool: flyway, mixed: true }
        """, dir, "config");
    PgvigilConfig plain = new ConfigLoader(Map.of()).parse("""
        targets:
          - name: app
            url: postgresql://u@db/app
            migrations: { tool: flyway }
        """, dir, "config");

    assertThat(mixed.targets().get(0).migrations().orElseThrow())
        .isInstanceOfSatisfying(MigrationSource.Flyway.class, f -> assertThat(f.mixed()).isTrue());
    assertThat(plain.targets().get(0).migrations().orElseThrow())
        .isInstanceOfSatisfying(MigrationSource.Flyway.class, f -> assertThat(f.mixed()).isFalse());
  }

  @Test
  void reportsAMissingFileByName() {
    Path missing = dir.resolve("nope.yaml");

    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            missing + ": config file not found; check the path (relative paths start at the working directory)");
  }

  @Test
  void describeSummarisesWhatWouldBeWatched() throws Exception {
    Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(dir.resolve("secrets/pg"), "pg-password-value");

    List<String> lines = new ConfigLoader(ENV).parse(SPEC_EXAMPLE, dir, "config").describe();

    assertThat(lines).contains(
        "server: listening on 0.0.0.0:8080, API token set (mutating endpoints enabled)",
        "target app: postgresql://pgvigil@db:5432/app (password set, connect timeout 5s)",
        "  replica replica-1: postgresql://pgvigil@replica:5432/app",
        "  shadow: embedded",
        "  drift: every 5m, ignoring table:public.tmp_*",
        "  watch: every 1s, every 250ms during migrations, probe timeout 500ms",
        "rule lockWait: warn 2s, abort 5s, for 0s",
        "rule lockQueue: warn 5, abort 20, for 0s",
        "rule ddlRuntime: warn 1m, abort off, for 0s",
        "alerts: slack, pagerduty, webhook-1 (signed), alertmanager http://alertmanager:9093; "
            + "repeated every 4h, resolved notifications on, query text left out, "
            + "spool $PGVIGIL_DATA_DIR/spool (at most 1000 per sink)",
        "kill switch: dry-run, 1 hook(s); exec /hooks/abort-deploy.sh");
    assertThat(lines).anySatisfy(line -> assertThat(line)
        .startsWith("  migrations: flyway, locations [")
        .endsWith("], table flyway_schema_history, schemas [public]"));
  }

  @Test
  void redactsLiteralsUnlessTheConfigTurnsItOffExplicitly() throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of()).parse("""
        targets:
          - { name: quiet, url: postgresql://pgvigil@db/app }
          - { name: polled, url: postgresql://pgvigil@db/app, watch: { interval: 2s } }
          - { name: shown, url: postgresql://pgvigil@db/app, watch: { redactLiterals: false } }
        """, dir, "config");

    assertThat(config.targets()).extracting(t -> t.watch().redactLiterals()).containsExactly(true, true, false);
  }

  @Test
  void readsTheInstanceNameAndTheCluster() throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of("POD", "pgvigil-7d9-x2")).parse("""
        server:
          instance: "${env:POD}"
          cluster: { enabled: true, name: prod, host: 10.0.0.7, port: 5801, eventBusPort: 0,
                     peers: ["10.0.0.7:5801", "10.0.0.8:5801"] }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config");

    assertThat(config.server().instance()).contains("pgvigil-7d9-x2");
    assertThat(config.server().cluster()).isEqualTo(new ClusterConfig(true, "prod", Optional.of("10.0.0.7"), 5801, 0,
        List.of("10.0.0.7:5801", "10.0.0.8:5801"), Optional.empty(), Optional.empty()));
    assertThat(config.describe()).contains("  cluster: prod on 10.0.0.7:5801, members 10.0.0.7:5801, 10.0.0.8:5801, "
        + "shared records not authenticated (set server.cluster.secret)");
    assertThat(ServerConfig.DEFAULT.cluster().enabled()).isFalse();
  }

  @Test
  void readsTheClusterSecretLikeAnyOtherSecretAndSaysOnlyThatItIsSet() throws Exception {
    Files.writeString(dir.resolve("cluster.secret"), "from-a-file-0123456789\n");
    PgvigilConfig fromEnv = new ConfigLoader(Map.of("CLUSTER_SECRET", "s3cret-shared-by-every-instance")).parse("""
        server:
          cluster: { enabled: true, secret: "${env:CLUSTER_SECRET}" }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config");
    PgvigilConfig fromFile = new ConfigLoader(Map.of()).parse("""
        server:
          cluster: { enabled: true, secret: "${file:cluster.secret}" }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config");

    assertThat(fromEnv.server().cluster().secret()).contains(SecretValue.of("s3cret-shared-by-every-instance"));
    assertThat(fromFile.server().cluster().secret()).contains(SecretValue.of("from-a-file-0123456789"));
    assertThat(fromEnv.describe()).anySatisfy(line -> assertThat(line)
        .endsWith("shared records signed (server.cluster.secret set)"));
    assertThat(String.join("\n", fromEnv.describe()) + fromEnv).doesNotContain("s3cret-shared");
  }

  @Test
  void refusesAnEmptyShortOrStructuredClusterSecret() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of("EMPTY", "", "SHORT", "tooShortSecret")).parse("""
        server:
          cluster: { enabled: true, secret: "${env:SHORT}" }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.cluster.secret: is shorter than 16 characters")
        .hasMessageNotContaining("tooShortSecret");
    assertThatThrownBy(() -> new ConfigLoader(Map.of("EMPTY", "")).parse("""
        server:
          cluster: { enabled: true, secret: "${env:EMPTY}" }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.cluster.secret: is empty");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).parse("""
        server:
          cluster: { enabled: true, secret: [a, b] }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.cluster.secret: expected a secret every instance shares");
  }

  @Test
  void refusesABadClusterPortPeerAndInstanceName() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).parse("""
        server:
          instance: "-bad name"
          cluster: { enabled: true, port: 70000, peers: ["10.0.0.8"] }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.instance: '-bad name' is not a valid name")
        .hasMessageContaining("server.cluster.port: '70000' must be a port from 1 to 65535")
        .hasMessageContaining("server.cluster.peers[0]: '10.0.0.8' must be host:port");
  }

  @Test
  void readsAnOptionalReadTokenFromTheEnvironment() throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of("READ", "read-token-value")).parse("""
        server: { apiToken: api-token-value, readToken: "${env:READ}" }
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        """, dir, "config");

    assertThat(config.server().readToken()).contains(SecretValue.of("read-token-value"));
    assertThat(config.server().apiToken()).contains(SecretValue.of("api-token-value"));
    assertThat(config.describe()).contains(
        "  read API: needs a bearer token (server.readToken or server.apiToken)");
    assertThat(ServerConfig.DEFAULT.readToken()).isEmpty();
  }

  @Test
  void readsAlertRoutingRepeatsAndTheSpool() throws Exception {
    PgvigilConfig config = new ConfigLoader(ENV).parse("""
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
          - { name: billing, url: postgresql://pgvigil@db/billing }
        alerts:
          repeatInterval: 30m
          resolve: false
          queryText: true
          apiBaseUrl: https://pgvigil.example.com/
          spool: { directory: ./spool, maxPerSink: 50 }
          slack: { webhookUrl: "${env:SLACK_WEBHOOK_URL}", severities: [warning, critical] }
          pagerduty: { routingKey: "${env:PD_ROUTING_KEY}", url: https://events.eu.pagerduty.com,
                       severities: [critical], targets: [app] }
          webhooks:
            - { name: ci, url: https://ci.example/abort, targets: [billing] }
            - { url: https://ops.example/hook }
          alertmanager: { url: "http://am:9093", severities: [warning] }
        """, dir, "config");

    AlertsConfig alerts = config.alerts();
    assertThat(alerts.repeatInterval()).isEqualTo(Duration.ofMinutes(30));
    assertThat(alerts.resolve()).isFalse();
    assertThat(alerts.queryText()).isTrue();
    assertThat(alerts.apiBaseUrl()).contains(java.net.URI.create("https://pgvigil.example.com/"));
    assertThat(alerts.spool()).isEqualTo(new AlertsConfig.Spool(Optional.of(dir.resolve("spool")), 50));
    assertThat(alerts.slack().orElseThrow().routing().severities())
        .containsExactlyInAnyOrder(Severity.WARNING, Severity.CRITICAL);
    assertThat(alerts.pagerduty().orElseThrow()).isEqualTo(new AlertsConfig.PagerDuty(
        SecretValue.of("0123456789abcdef0123456789abcdef"),
        Optional.of(java.net.URI.create("https://events.eu.pagerduty.com")),
        new AlertsConfig.Routing(Set.of(Severity.CRITICAL), Set.of("app"))));
    assertThat(alerts.webhooks()).extracting(AlertsConfig.Webhook::name).containsExactly("ci", "webhook-2");
    assertThat(alerts.webhooks().get(0).routing().targets()).containsExactly("billing");
    assertThat(alerts.sinkNames()).containsExactly("slack", "pagerduty", "ci", "webhook-2", "alertmanager");
    assertThat(config.describe()).contains("alerts: slack (critical, warning), pagerduty "
        + "https://events.eu.pagerduty.com (critical; targets app), ci (targets billing), webhook-2, "
        + "alertmanager http://am:9093 (warning); repeated every 30m, resolved notifications off, "
        + "query text included, spool " + dir.resolve("spool") + " (at most 50 per sink)");
  }
}
