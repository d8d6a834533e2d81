package io.pgvigil.daemon.cli;

import static io.pgvigil.daemon.testing.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.daemon.testing.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * check-config and run read a config with one validation: every file below used to pass
 * check-config and then stop run (or crash both). Each must now fail both, with the same problem
 * named by its path, before run starts anything.
 */
class SharedValidationTest {

  private static final String TARGET = "targets: [{ name: app, url: \"postgresql://pgvigil@127.0.0.1:1/app\" }]\n";

  @TempDir
  Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      // an int of milliseconds: 25d overflowed to a negative connect timeout
      "connect timeout 25d | targets[0].connectTimeout | targets: [{ name: app, url: \"postgresql://u@127.0.0.1:1/app\", connectTimeout: 25d }]",
      // PostgreSQL refused lock_timeout = 2160000000 at every connection: the target stayed down
      "statement timeout 25d | targets[0].watch.statementTimeout | targets: [{ name: app, url: \"postgresql://u@127.0.0.1:1/app\", watch: { interval: 30d, statementTimeout: 25d } }]",
      // toNanos() overflowed: 'error: long overflow'
      "a rule of 200000d | rules.lockWait.warn | rules: { lockWait: { warn: 200000d } }",
      "an unclosed IPv6 bracket | server.listen | server: { listen: \"[::1\" }",
      // TEST-NET-1 (RFC 5737): never an address of this machine
      "an address of another machine | server.listen | server: { listen: \"192.0.2.1:8080\" }",
      "a spool in /proc/self | alerts.spool.directory | alerts: { spool: { directory: /proc/self }, alertmanager: { url: \"http://127.0.0.1:1\" } }",
      "a spool that is /dev/null | alerts.spool.directory | alerts: { spool: { directory: /dev/null }, alertmanager: { url: \"http://127.0.0.1:1\" } }",
  })
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void checkConfigAndRunRejectTheSameFile(String kind, String path, String yaml) throws IOException {
    String text = yaml.startsWith("targets:") ? yaml + "\n" : yaml + "\n" + TARGET;
    Path config = Files.writeString(dir.resolve("pgvigil.yaml"), text);

    CliRun checked = run("check-config", "--config", config.toString());
    CliRun ran = run("run", "--config", config.toString());

    assertThat(checked.exit()).as(checked.out() + checked.err()).isEqualTo(1);
    assertThat(checked.err()).contains("is not valid (1 problem)").contains("  " + path + ": ")
        .doesNotContain("Exception");
    assertThat(ran.exit()).as(ran.err()).isEqualTo(1);
    assertThat(ran.err()).isEqualTo(checked.err());
  }

  @Test
  void checkConfigNeverPrintsTheCredentialsOfASinkUrl() throws IOException {
    Path config = Files.writeString(dir.resolve("pgvigil.yaml"), TARGET + """
        alerts:
          pagerduty: { routingKey: pd-routing-key, url: "https://pd-user:pd-pass@events.eu.pagerduty.com" }
          alertmanager: { url: "http://am-user:am-pass@127.0.0.1:9093" }
          spool: { directory: %s }
        """.formatted(dir.resolve("spool")));

    CliRun checked = run("check-config", "--config", config.toString());

    assertThat(checked.exit()).as(checked.err()).isEqualTo(0);
    assertThat(checked.out()).contains("pagerduty https://events.eu.pagerduty.com")
        .contains("alertmanager http://127.0.0.1:9093")
        .doesNotContain("pd-pass").doesNotContain("pd-user").doesNotContain("am-pass").doesNotContain("am-user")
        .doesNotContain("pd-routing-key");
  }
}
