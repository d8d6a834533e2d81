package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each broken config must be reported with its path and a message that says how to fix it. */
class ConfigProblemsTest {

  private static final String TARGET = """
      targets:
        - name: app
          url: postgresql://pgvigil@db:5432/app
      """;

  @TempDir
  Path dir;

  private String problems(String yaml) {
    return problems(yaml, Map.of());
  }

  private String problems(String yaml, Map<String, String> env) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new ConfigLoader(env).parse(yaml, dir, "config.yaml"));
    assertThat(e).as("expected the config to be rejected").isNotNull();
    assertThat(e.getMessage().lines().toList())
        .as("getMessage() has one line per problem")
        .containsExactlyElementsOf(e.problems().stream().map(ConfigProblem::toString).toList());
    return e.getMessage();
  }

  @Test
  void reportsMalformedYamlWithLineAndColumn() {
    assertThat(problems("""
        targets:
          - name: app
            url: postgresql://u@db/app: x: y
        """)).isEqualTo("config.yaml:3:31: malformed YAML: mapping values are not allowed here");
  }

  @Test
  void reportsAnUnquotedPlaceholderInAFlowMappingAsMalformedYaml() {
    // '{' and '}' end a flow mapping, so ${env:X} must be quoted inside { ... }.
    assertThat(problems(TARGET + "alerts: { slack: { webhookUrl: ${env:SLACK_WEBHOOK_URL} } }\n"))
        .isEqualTo("config.yaml:4:33: malformed YAML: expected ',' or '}', but got { (inside { } or [ ], "
            + "quote values containing { } [ ] or commas, e.g. \"${env:NAME}\")");
  }

  @Test
  void reportsAnEmptyFile() {
    assertThat(problems("# nothing but a comment\n"))
        .isEqualTo("config.yaml: the file is empty; it needs at least a targets: list");
  }

  @Test
  void rejectsAnUnknownTopLevelKey() {
    assertThat(problems(TARGET + "alert: {}\n")).isEqualTo(
        "alert: unknown top-level key; did you mean 'alerts'? "
            + "(known top-level keys are server, targets, rules, alerts, killSwitch)");
  }

  @Test
  void suggestsTheClosestKeyForAnUnknownNestedKey() {
    assertThat(problems(TARGET + "    watch: { intervall: 1s }\n")).isEqualTo(
        "targets[0].watch.intervall: unknown key; did you mean 'interval'? "
            + "(known keys are interval, windowInterval, statementTimeout, redactLiterals, migrationApplicationNames)");
  }

  @Test
  void rejectsAWrongType() {
    assertThat(problems(TARGET + "    watch: { interval: [1s] }\n"))
        .isEqualTo("targets[0].watch.interval: expected a duration such as 1s, got a list");
  }

  @Test
  void rejectsANegativeDuration() {
    assertThat(problems(TARGET + "    watch: { interval: -1s }\n"))
        .isEqualTo("targets[0].watch.interval: '-1s' must be a positive duration such as 1s");
  }

  @Test
  void rejectsADurationWithoutUnit() {
    assertThat(problems(TARGET + "    drift: { interval: 5 }\n")).isEqualTo(
        "targets[0].drift.interval: '5' has no unit; write it as 5s or 5ms (units: d, h, m, s, ms)");
  }

  @Test
  void rejectsADurationWithAnUnknownUnit() {
    assertThat(problems(TARGET + "    connectTimeout: 5 parsecs\n")).isEqualTo(
        "targets[0].connectTimeout: '5 parsecs' is not a duration; write a whole number and a unit "
            + "(d, h, m, s, ms) such as 5s or 1m30s");
  }

  @Test
  void rejectsAZeroInterval() {
    assertThat(problems(TARGET + "    watch: { interval: 0s }\n"))
        .isEqualTo("targets[0].watch.interval: '0s' must be a positive duration such as 1s");
  }

  @Test
  void rejectsAUrlWithoutDatabase() {
    assertThat(problems("targets: [{ name: app, url: 'postgresql://u@db:5432' }]")).isEqualTo(
        "targets[0].url: has no database name; add it after the host, as in postgresql://user@host:5432/DATABASE");
  }

  @Test
  void rejectsAUrlWithABadScheme() {
    assertThat(problems("targets: [{ name: app, url: 'mysql://u@db/app' }]")).isEqualTo(
        "targets[0].url: scheme 'mysql' is not supported; the URL must start with postgresql:// or postgres://");
  }

  @Test
  void rejectsAUrlWithABadPort() {
    assertThat(problems(TARGET + "    replicas: [{ name: r1, url: 'postgresql://u@replica:70000/app' }]"))
        .isEqualTo("targets[0].replicas[0].url: port '70000' must be a number between 1 and 65535");
  }

  @Test
  void reportsAMissingEnvironmentVariable() {
    assertThat(problems(TARGET + "    password: ${env:PG_PASSWORD}\n"))
        .isEqualTo("targets[0].password: environment variable PG_PASSWORD is not set");
  }

  @Test
  void reportsAMissingSecretFile() {
    assertThat(problems(TARGET + "    password: ${file:secrets/missing}\n"))
        .isEqualTo("targets[0].password: file secrets/missing does not exist");
  }

  @Test
  void rejectsAnUnknownSubstitutionPrefix() {
    assertThat(problems(TARGET + "    password: ${vault:secret/pg}\n")).isEqualTo(
        "targets[0].password: unknown substitution '${vault:…}'; use ${env:NAME} or ${file:/path}, "
            + "or $${ for a literal ${");
  }

  @Test
  void rejectsDuplicateTargetNames() {
    assertThat(problems(TARGET + """
          - name: app
            url: postgresql://pgvigil@other:5432/app
        """)).isEqualTo(
        "targets[1].name: 'app' is already used at targets[0].name; target names must be unique");
  }

  @Test
  void rejectsAnInvalidTargetName() {
    assertThat(problems("targets: [{ name: App, url: 'postgresql://u@db/app' }]")).isEqualTo(
        "targets[0].name: 'App' is not a valid name; use 1 to 63 lowercase letters, digits, '_' or '-', "
            + "starting with a letter or digit (it becomes a metric label)");
  }

  @Test
  void requiresTargets() {
    assertThat(problems("server: { listen: 0.0.0.0:8080 }\n")).isEqualTo(
        "targets: is required; list at least one database to watch, "
            + "e.g. targets: [{ name: app, url: postgresql://pgvigil@db:5432/app }]");
  }

  @Test
  void rejectsAnAbortLevelBelowTheWarnLevel() {
    assertThat(problems(TARGET + "rules: { lockWait: { warn: 5s, abort: 2s } }\n")).isEqualTo(
        "rules.lockWait.abort: '2s' is below warn '5s'; abort must be greater than or equal to warn");
  }

  @Test
  void rejectsARuleWithNeitherWarnNorAbort() {
    assertThat(problems(TARGET + "rules: { lockQueue: { for: 5s } }\n"))
        .isEqualTo("rules.lockQueue: needs warn, abort or both, e.g. { warn: 5 }");
  }

  @Test
  void rejectsACountThatIsNotAPositiveNumber() {
    assertThat(problems(TARGET + "rules: { lockQueue: { warn: 0, abort: many } }\n")).isEqualTo("""
        rules.lockQueue.warn: '0' must be a positive whole number such as 5
        rules.lockQueue.abort: 'many' must be a positive whole number such as 5""");
  }

  @Test
  void rejectsAWindowIntervalLongerThanTheInterval() {
    assertThat(problems(TARGET + "    watch: { interval: 1s, windowInterval: 2s }\n")).isEqualTo(
        "targets[0].watch.windowInterval: '2s' must not be longer than interval '1s'; "
            + "polling during a migration must be at least as frequent");
  }

  @Test
  void mentionsDefaultsWhenTheyConflictWithAGivenValue() {
    assertThat(problems(TARGET + "    watch: { interval: 500ms }\n")).isEqualTo(
        "targets[0].watch.statementTimeout: '500ms' (the default) must be shorter than interval '500ms' "
            + "so a slow probe finishes before the next one starts");
  }

  @Test
  void rejectsAnUnknownRuleListingTheKnownOnes() {
    assertThat(problems(TARGET + "rules: { lockTimeout: { warn: 1s } }\n")).isEqualTo(
        "rules.lockTimeout: unknown rule; known rules are lockWait, lockQueue, lockQueueCost, "
            + "replicationLag, replicationLagBytes, standbyGone, ddlRuntime, idleInTransaction, "
            + "longWrite, always");
  }

  @Test
  void rejectsABadSizeAndAnUnknownRuleInTheAlwaysProfile() {
    assertThat(problems(TARGET + """
        rules:
          replicationLagBytes: { warn: 12 parsecs }
          always: { lockWaitt: { warn: 1s } }
        """)).isEqualTo("""
        rules.replicationLagBytes.warn: '12 parsecs' must be a positive size such as 512MB or 1GiB
        rules.always.lockWaitt: unknown rule; did you mean 'lockWait'? (known rules are lockWait, lockQueue, \
        lockQueueCost, replicationLag, replicationLagBytes, standbyGone, ddlRuntime, idleInTransaction, \
        longWrite)""");
  }

  @Test
  void terminateModeNeedsItsRoleAllowlistAndTheDeadManSwitchItsTime() {
    assertThat(problems(TARGET + """
        killSwitch:
          mode: cancel-and-terminate-blockers
          deadMan: { after: 0s }
        """)).isEqualTo("""
        killSwitch.terminate.roles: is needed by mode cancel-and-terminate-blockers: list the roles whose \
        idle-in-transaction sessions may be terminated, e.g. terminate: { roles: [app] }
        killSwitch.deadMan.after: '0s' must be a positive duration such as 1s""");
  }

  @Test
  void suggestsTheKillSwitchModeForATypo() {
    assertThat(problems(TARGET + "killSwitch: { mode: dryrun }\n")).isEqualTo(
        "killSwitch.mode: 'dryrun' is not one of dry-run, cancel, cancel-and-terminate-blockers; "
            + "did you mean 'dry-run'?");
  }

  @Test
  void rejectsAHookWithBothExecAndWebhook() {
    assertThat(problems(TARGET + "killSwitch: { hooks: [{ exec: [/bin/true], webhook: 'https://ci/x' }] }\n"))
        .isEqualTo("killSwitch.hooks[0]: has both exec and webhook; a hook does one thing, "
            + "so split it into two hooks");
  }

  @Test
  void rejectsFlywayKeysOnAPrismaMigration() {
    assertThat(problems(TARGET + "    migrations: { tool: prisma, locations: [db/migration] }\n")).isEqualTo(
        "targets[0].migrations.locations: only applies to tool flyway; "
            + "with prisma use directory: ./prisma/migrations");
  }

  @Test
  void mixedIsAFlywaySettingAndABoolean() {
    assertThat(problems(TARGET + "    migrations: { tool: prisma, mixed: true }\n")).isEqualTo(
        "targets[0].migrations.mixed: only applies to tool flyway; "
            + "with prisma use directory: ./prisma/migrations");
    assertThat(problems(TARGET + "    migrations: { tool: flyway, mixed: sometimes }\n"))
        .startsWith("targets[0].migrations.mixed: 'sometimes' is not one of true, false");
  }

  @Test
  void requiresAToolForMigrations() {
    assertThat(problems(TARGET + "    migrations: { directory: prisma/migrations }\n"))
        .isEqualTo("targets[0].migrations.tool: is required; use tool: flyway or tool: prisma");
  }

  @Test
  void requiresAUrlForAShadowInUrlMode() {
    assertThat(problems(TARGET + "    shadow: { mode: url }\n")).isEqualTo(
        "targets[0].shadow.url: is required when mode is url; give a server where pgvigil may create "
            + "scratch databases, e.g. postgresql://pgvigil@shadow:5432/postgres");
  }

  @Test
  void rejectsARedactLiteralsThatIsNotABoolean() {
    assertThat(problems(TARGET + "    watch: { redactLiterals: maybe }\n")).isEqualTo(
        "targets[0].watch.redactLiterals: 'maybe' is not one of true, false");
  }

  @Test
  void rejectsADriftIgnorePatternWithAnUnknownKind() {
    assertThat(problems(TARGET + "    drift: { ignore: ['tables:public.tmp_*'] }\n")).isEqualTo(
        "targets[0].drift.ignore[0]: 'tables:public.tmp_*' has unknown kind 'tables'; did you mean 'table'? "
            + "(kinds: schema, table, column, constraint, index, sequence, view, materialized_view, "
            + "function, trigger, type, extension, policy, statistics, comment, grant, owner, default_privileges)");
  }

  @Test
  void rejectsANonHttpAlertmanagerUrl() {
    assertThat(problems(TARGET + "alerts: { alertmanager: { url: 'alertmanager:9093' } }\n")).isEqualTo(
        "alerts.alertmanager.url: 'alertmanager:9093' must be an http(s) URL such as http://alertmanager:9093");
    assertThat(problems(TARGET + "alerts: { alertmanager: { url: 'htp://ops:s3cret@am:9093' } }\n")).isEqualTo(
        "alerts.alertmanager.url: 'htp://…@am:9093' must be an http(s) URL such as http://alertmanager:9093");
  }

  @Test
  void rejectsABadListenAddress() {
    assertThat(problems("server: { listen: 'localhost:99999' }\n" + TARGET)).isEqualTo(
        "server.listen: 'localhost:99999' must be host:port with a port from 0 to 65535 "
            + "(0 picks a free port), e.g. 0.0.0.0:8080");
  }

  @Test
  void rejectsADuplicateYamlKey() {
    assertThat(problems("""
        targets:
          - name: app
            url: postgresql://u@db/app
            name: other
        """)).isEqualTo(
        "config.yaml:4:9: duplicate key 'name'; each key may appear only once in a mapping");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    assertThat(problems("""
        server: { listen: 0.0.0.0:8080, apiToken: "${env:TOKEN}" }
        targets:
          - name: app
            url: postgresql://u@db/app
            watch: { interval: -1s, windowIntervall: 250ms }
          - name: app
            url: mysql://u@db/app
        rules:
          lockWait: { warn: 5s, abort: 2s }
          lockQueu: { warn: 5 }
        killSwitch: { mode: cancle }
        """)).isEqualTo("""
        server.apiToken: environment variable TOKEN is not set
        targets[0].watch.windowIntervall: unknown key; did you mean 'windowInterval'? \
        (known keys are interval, windowInterval, statementTimeout, redactLiterals, migrationApplicationNames)
        targets[0].watch.interval: '-1s' must be a positive duration such as 1s
        targets[1].name: 'app' is already used at targets[0].name; target names must be unique
        targets[1].url: scheme 'mysql' is not supported; the URL must start with postgresql:// or postgres://
        rules.lockQueu: unknown rule; did you mean 'lockQueue'? (known rules are lockWait, lockQueue, \
        lockQueueCost, replicationLag, replicationLagBytes, standbyGone, ddlRuntime, idleInTransaction, \
        longWrite, always)
        rules.lockWait.abort: '2s' is below warn '5s'; abort must be greater than or equal to warn
        killSwitch.mode: 'cancle' is not one of dry-run, cancel, cancel-and-terminate-blockers; \
        did you mean 'cancel'?""");
  }

  @Test
  void reportsAnUnreadableConfigFileByName() throws Exception {
    Path directory = Files.createDirectories(dir.resolve("conf.d"));

    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new ConfigLoader(Map.of()).load(directory));

    assertThat(e.getMessage()).isEqualTo(directory + ": is a directory; give the path of the YAML config file");
  }

  @Test
  void rejectsBadAlertRoutingWithPathsAndFixes() {
    assertThat(problems(TARGET + """
        alerts:
          repeatInterval: 0s
          resolve: sometimes
          apiBaseUrl: "https://u:p@pgvigil.example.com"
          spool: { directory: "", maxPerSink: -1, size: 3 }
          slack: { webhookUrl: https://hooks.slack.com/x, severities: [warning, critcal], targets: [ap] }
          pagerduty: { routingKey: k, severities: [], targets: [] }
          webhooks:
            - { name: slack, url: https://ci.example/a }
            - { name: ci, url: https://ci.example/b }
            - { name: ci, url: https://ci.example/c, secrett: x }
        """)).isEqualTo("""
        alerts.repeatInterval: '0s' must be a positive duration such as 1s
        alerts.resolve: 'sometimes' is not one of true, false
        alerts.apiBaseUrl: must not carry credentials or a query: it is shown in every message
        alerts.spool.size: unknown key; known keys are directory, maxPerSink
        alerts.spool.directory: is empty; give a directory, or remove the key for the default
        alerts.spool.maxPerSink: '-1' must be a positive whole number such as 5
        alerts.slack.severities[1]: 'critcal' is not one of warning, critical; did you mean 'critical'?
        alerts.slack.targets[0]: 'ap' is not a configured target; did you mean 'app'?
        alerts.pagerduty.severities: is empty; leave it out to send every severity, or list some of \
        warning, critical
        alerts.pagerduty.targets: is empty; leave it out to send alerts of every target, or name some targets
        alerts.webhooks[0].name: 'slack' is the name of the slack sink; give the webhook another name
        alerts.webhooks[2].secrett: unknown key; did you mean 'secret'? (known keys are name, url, secret, \
        severities, targets)
        alerts.webhooks[2].name: 'ci' is already used at alerts.webhooks[1].name; webhook names must be unique\
        """);
  }

  @Test
  void rejectsAnInfoSeverityBecausePgvigilNeverSendsOne() {
    assertThat(problems(TARGET + "alerts: { alertmanager: { url: 'http://am:9093', severities: [info] } }\n"))
        .isEqualTo("alerts.alertmanager.severities[0]: 'info' is not one of warning, critical");
  }
}
