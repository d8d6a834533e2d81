package io.pgvigil.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusRulesTest {

  private static final Path RULES_DIR = RenderedChart.CHART.resolve("rules");
  private static final Path RULES = RULES_DIR.resolve("pgvigil-rules.yaml");
  private static final Path RULES_TEST = RULES_DIR.resolve("pgvigil-rules.test.yaml");
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    assertThat(promtool("check", "rules", RULES.getFileName().toString())).contains("SUCCESS");
  }

  @Test
  void everyAlertPassesItsPromtoolUnitTest() throws Exception {
    assertThat(promtool("test", "rules", RULES_TEST.getFileName().toString())).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTestThatSeesItFire() throws IOException {
    Set<String> firingInTests = new TreeSet<>();
    for (JsonNode test : YAML.readTree(RULES_TEST.toFile()).path("tests")) {
      for (JsonNode check : test.path("alert_rule_test")) {
        if (!check.path("exp_alerts").isEmpty()) {
          firingInTests.add(check.path("alertname").asText());
        }
      }
    }

    assertThat(firingInTests).containsExactlyInAnyOrderElementsOf(alerts().stream()
        .map(a -> a.path("alert").asText()).toList());
  }

  @Test
  void everyAlertQueriesOnlyExportedMetricsAndSaysHowBad() throws IOException {
    for (JsonNode alert : alerts()) {
      String name = alert.path("alert").asText();
      assertThat(ExportedMetrics.queriedBy(alert.path("expr").asText())).as(name)
          .isNotEmpty()
          .isSubsetOf(ExportedMetrics.EXPORTED);
      assertThat(alert.at("/labels/severity").asText()).as(name).isIn("warning", "critical");
      assertThat(alert.at("/annotations/summary").asText()).as(name).isNotBlank();
    }
  }

  private static List<JsonNode> alerts() throws IOException {
    List<JsonNode> alerts = new ArrayList<>();
    for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
      group.path("rules").forEach(alerts::add);
    }
    assertThat(alerts).isNotEmpty();
    return alerts;
  }

  /** Runs promtool in the rules directory; skips the test when it is not installed. */
  private static String promtool(String... args) throws IOException, InterruptedException {
    assumeTrue(onPath("promtool"), "promtool is not on the PATH (Debian: apt-get install prometheus)");
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(RULES_DIR.toFile())
        .redirectErrorStream(true);
    // promtool test rules keeps a scratch TSDB in TMPDIR: under target/, never in /tmp.
    builder.environment().put("TMPDIR", System.getProperty("java.io.tmpdir"));
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
    return output;
  }

  private static boolean onPath(String executable) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
        return true;
      }
    }
    return false;
  }
}
