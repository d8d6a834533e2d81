package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.common.SecretValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's configuration reference must stay a config that pgvigil accepts. */
class ReadmeExampleTest {

  @TempDir
  Path dir;

  @Test
  void theReadmeConfigExampleIsValid() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertThat(block.find()).as("a ```yaml block in README.md").isTrue();
    Path secret = Files.writeString(dir.resolve("pg"), "pg-password\n");
    String yaml = block.group(1).replace("/run/secrets/pg", secret.toString());

    PgvigilConfig config = new ConfigLoader(Map.of(
        "PGVIGIL_API_TOKEN", "token", "PGVIGIL_READ_TOKEN", "read-token", "SLACK_WEBHOOK_URL",
        "https://hooks.slack.example/T0/B0/x",
        "PD_ROUTING_KEY", "routing-key", "HOOK_SECRET", "hook-secret",
        "PGVIGIL_CLUSTER_SECRET", "cluster-secret-of-the-example"))
        .parse(yaml, dir, "config");

    assertThat(config.targets()).hasSize(1);
    assertThat(config.targets().get(0).url().password()).map(SecretValue::reveal).contains("pg-password");
    assertThat(config.server().readToken()).map(SecretValue::reveal).contains("read-token");
    assertThat(config.targets().get(0).watch().redactLiterals()).isTrue();
  }
}
