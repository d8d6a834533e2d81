package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgvigil.common.SecretValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A recognisable secret is fed through every secret slot and every error path; it must never come out. */
class SecretsNeverLeakTest {

  private static final String SECRET = "SUPERSECRET-7f3a";
  private static final Map<String, String> ENV = Map.of(
      "SECRET", SECRET,
      "SECRET_URL", "https://hooks.example/" + SECRET,
      "SECRET_DB_URL", "postgresql://u:" + SECRET + "@db/app");

  @TempDir
  Path dir;

  @Test
  void secretHidesItsValueButComparesByIt() {
    SecretValue secret = SecretValue.of(SECRET);

    assertThat(secret.toString()).isEqualTo("******");
    assertThat(secret.reveal()).isEqualTo(SECRET);
    assertThat(secret).isEqualTo(SecretValue.of(SECRET)).hasSameHashCodeAs(SecretValue.of(SECRET));
    assertThat(secret).isNotEqualTo(SecretValue.of("other"));
  }

  @Test
  void noRecordToStringAndNoSummaryLineContainsASecret() throws Exception {
    Files.writeString(dir.resolve("pg.secret"), SECRET + "\n");
    PgvigilConfig config = new ConfigLoader(ENV).parse("""
        server:
          apiToken: "${env:SECRET}"
          readToken: "${env:SECRET}"
          cluster: { enabled: true, secret: "${env:SECRET}" }
        targets:
          - name: app
            url: "postgresql://u:${env:SECRET}@db/app"
            replicas: [{ name: r1, url: "postgresql://u@replica/app", password: "${file:pg.secret}" }]
            shadow: { mode: url, url: "${env:SECRET_DB_URL}" }
          - name: other
            url: postgresql://u@db/other
            password: ${file:pg.secret}
        alerts:
          slack: { webhookUrl: "${env:SECRET_URL}" }
          pagerduty: { routingKey: "${env:SECRET}" }
          webhooks: [{ url: "${env:SECRET_URL}", secret: "${env:SECRET}" }]
        killSwitch:
          hooks: [{ webhook: "${env:SECRET_URL}" }, { exec: [/hooks/abort.sh, "${env:SECRET}"] }]
        """, dir, "config");

    assertThat(config.targets().get(1).url().password().map(SecretValue::reveal)).contains(SECRET);
    assertThat(config.server().readToken().map(SecretValue::reveal)).contains(SECRET);
    assertThat(config.server().cluster().secret().map(SecretValue::reveal)).contains(SECRET);
    assertThat(config.toString()).doesNotContain(SECRET);
    assertThat(config.describe()).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain(SECRET));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "alerts: { slack: { webhookUrl: \"${env:SECRET}\" } }",
      "alerts: { webhooks: [{ url: \"ftp://${env:SECRET}\" }] }",
      "alerts: { alertmanager: { url: \"${env:SECRET}\" } }",
      "killSwitch: { mode: \"${env:SECRET}\", hooks: [{ webhook: \"${env:SECRET}\" }] }",
      "server: { listen: \"${env:SECRET}\" }",
      "server: { readToken: \"${env:SECRET}\", listen: nowhere }",
      "server: { readToken: [\"${env:SECRET}\"] }",
      "server: { cluster: { secret: [\"${env:SECRET}\"] } }",
      "server: { cluster: { secret: \"${env:SECRET}\", port: \"${env:SECRET}\" } }",
      "rules: { lockWait: { warn: \"${env:SECRET}\" }, lockQueue: { warn: \"${env:SECRET}\" } }",
      "targets: [{ name: \"${env:SECRET}\", url: \"${env:SECRET}\" }]",
      "targets: [{ name: app, url: \"postgresql://u:${env:SECRET}@db:99999\" }]",
      "targets: [{ name: app, url: \"${env:SECRET}://u@db/app\" }]",
      "targets: [{ name: app, url: \"postgresql://u@db:${env:SECRET}/app\" }]",
      "targets: [{ name: app, url: \"postgresql://u@db/app\", drift: { ignore: [\"${env:SECRET}\"] } }]",
      "targets: [{ name: app, url: \"postgresql://u@db/app\", watch: { interval: \"${env:SECRET}\" } }]",
      "targets: [{ name: app, url: \"postgresql://u@db/app\", shadow: { mode: \"${env:SECRET}\" } }]",
      "targets: [{ name: app, url: \"postgresql://u@db/app\", migrations: { tool: \"${env:SECRET}\" } }]",
      "targets: [{ name: app, url: \"postgresql://u@db/app\", migrations: { tool: flyway, locations: [\"classpath:${env:SECRET}\"] } }]",
      "targets:\n  - name: app\n    password: " + SECRET + ": oops\n",
      "targets:\n  - name: app\n    password: " + SECRET + "\n    password: " + SECRET + "\n"
  })
  void problemMessagesNeverQuoteASecret(String yaml) {
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new ConfigLoader(ENV).parse(yaml, dir, "config.yaml"));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).doesNotContain(SECRET);
    assertThat(e.problems()).allSatisfy(p -> assertThat(p.toString()).doesNotContain(SECRET));
  }
}
