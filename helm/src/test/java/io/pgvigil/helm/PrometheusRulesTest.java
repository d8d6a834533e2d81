package io.pgvigil.helm;

import static io.pgvigil.helm.RenderedChart.ciValues;
import static io.pgvigil.helm.RenderedChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The rules as the chart renders them into its PrometheusRule, checked and unit-tested by promtool. */
class PrometheusRulesTest {

  private static final Path RULES_DIR = RenderedChart.CHART.resolve("rules");
  private static final Path RULES_TEST = RULES_DIR.resolve("pgvigil-rules.test.yaml");
  private static final Path OPTIONS_TEST = RULES_DIR.resolve("pgvigil-rules-options.test.yaml");
  /** What pgvigil-rules-options.test.yaml was written for. */
  private static final Path OPTIONS_VALUES = Path.of("src/test/resources/rules-options-values.yaml");
  private static final YAMLMapper YAML = new YAMLMapper();

  /** What pgvigil-rules.test.yaml was written for. */
  private static final Map<String, Object> TESTED = Map.of(
      "prometheusRule.selector", "job=\"pgvigil\"",
      "prometheusRule.runbookBaseUrl", "https://runbooks.example/pgvigil");

  /** Every metric selector in an expr, with what follows its name. */
  private static final Pattern SELECTOR = Pattern.compile("\\b(up|pgvigil_[a-z0-9_]+)(\\{[^}]*})?");

  @Test
  void promtoolAcceptsTheRenderedRulesAndTheirUnitTests() throws Exception {
    Path dir = writeRules("promtool", rendered(TESTED), RULES_TEST);

    assertThat(promtool(dir, "check", "rules", "pgvigil-rules.yaml")).contains("SUCCESS");
    assertThat(promtool(dir, "test", "rules", RULES_TEST.getFileName().toString())).contains("SUCCESS");
  }

  @Test
  void promtoolSeesTheOptionsAsRendered() throws Exception {
    JsonNode spec = render(c -> c.withValuesFile(ciValues("prometheusrule")).withValuesFile(OPTIONS_VALUES))
        .one("PrometheusRule").path("spec");

    assertThat(alertNames(spec)).doesNotContain("PgvigilLockWaitLong").contains("PgvigilLockQueueGrowing");
    for (JsonNode alert : alerts(spec)) {
      String name = alert.path("alert").asText();
      assertThat(alert.at("/labels/team").asText()).as(name).isEqualTo("vigil-db");
      // Escaped for tpl, a Prometheus template reaches Prometheus as one.
      assertThat(alert.at("/labels/owner").asText()).as(name).isEqualTo("{{ $labels.job }}-owners");
      assertThat(alert.at("/annotations/dashboard_url").asText()).as(name)
          .startsWith("https://grafana.example/d/pgvigil/pgvigil?orgId=1&var-namespace=")
          .containsOnlyOnce("?");
      String expr = alert.path("expr").asText();
      if (expr.contains(" by (") || expr.contains(" on (")) {
        assertThat(expr).as(name).contains("(cluster, namespace, job, ").doesNotContain("(namespace, job, ");
      }
    }
    Path dir = writeRules("promtool-options", spec, OPTIONS_TEST);
    assertThat(promtool(dir, "test", "rules", OPTIONS_TEST.getFileName().toString())).contains("SUCCESS");
  }

  @Test
  void aSelectorPromQlCannotTakeFailsTheRender() throws IOException {
    for (String selector : List.of("{job=\"x\"}", "job=\"x\",", ",job=\"x\"", "job=\"x\"}")) {
      Path values = valuesFile("selector", Map.of("prometheusRule", Map.of("selector", selector)));
      assertThatThrownBy(() -> render(c -> c.withValuesFile(ciValues("prometheusrule")).withValuesFile(values)))
          .as(selector)
          .hasMessageContaining("selector");
    }
  }

  @Test
  void anAggregationLabelMustBeALabelName() throws IOException {
    Path values = valuesFile("aggregation",
        Map.of("prometheusRule", Map.of("aggregationLabels", List.of("namespace", "k8s-cluster"))));
    assertThatThrownBy(() -> render(c -> c.withValuesFile(ciValues("prometheusrule")).withValuesFile(values)))
        .hasMessageContaining("aggregationLabels");
  }

  /** Values written as YAML under target/: --set would read braces as a list and split at commas. */
  private static Path valuesFile(String name, Map<String, Object> values) throws IOException {
    Path file = Path.of("target", "values-" + name + ".yaml");
    Files.createDirectories(file.getParent());
    YAML.writeValue(file.toFile(), values);
    return file;
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

    assertThat(firingInTests).containsExactlyInAnyOrderElementsOf(alertNames(rendered(TESTED)));
  }

  @Test
  void everyAlertQueriesOnlyExportedMetricsAndSaysHowBad() {
    for (JsonNode alert : alerts(rendered(TESTED))) {
      String name = alert.path("alert").asText();
      assertThat(ExportedMetrics.queriedBy(alert.path("expr").asText())).as(name)
          .isNotEmpty()
          .isSubsetOf(ExportedMetrics.EXPORTED);
      assertThat(alert.at("/labels/severity").asText()).as(name).isIn("warning", "critical");
      assertThat(alert.at("/annotations/summary").asText()).as(name).isNotBlank();
      assertThat(alert.at("/annotations").has("dashboard_url")).as("no dashboardUrl, no link").isFalse();
    }
  }

  @Test
  void everySelectorOfEveryRuleMatchesThisReleasesScrapeJobOnly() {
    String serviceMonitorJob = "job=\"vigil-pgvigil\", namespace=\"db-tools\"";
    assertEverySelectorStartsWith(rendered(Map.of()), serviceMonitorJob);
    assertEverySelectorStartsWith(
        rendered(Map.of("serviceMonitor.enabled", false, "podMonitor.enabled", true)),
        "job=\"db-tools/vigil-pgvigil\", namespace=\"db-tools\"");
    assertEverySelectorStartsWith(
        rendered(Map.of("prometheusRule.selector", "job=\"{{ .Release.Name }}\", cluster=\"eu-1\"")),
        "job=\"vigil\", cluster=\"eu-1\"");
  }

  @Test
  void everyAlertLinksToItsRunbookInTheChartReadme() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    for (JsonNode alert : alerts(rendered(Map.of()))) {
      String name = alert.path("alert").asText();
      assertThat(alert.at("/annotations/runbook_url").asText()).isEqualTo(
          "https://github.com/pgvigil/pgvigil/blob/main/helm/README.md#" + name.toLowerCase());
      // GitHub's anchor for a heading "#### PgvigilDown" is #pgvigildown.
      assertThat(readme).as("runbook of %s", name).containsPattern("(?m)^#{3,4} " + name + "$");
    }
  }

  private static void assertEverySelectorStartsWith(JsonNode spec, String matcher) {
    for (JsonNode alert : alerts(spec)) {
      String expr = alert.path("expr").asText();
      Matcher m = SELECTOR.matcher(expr);
      int selectors = 0;
      while (m.find()) {
        selectors++;
        assertThat(m.group(2)).as("%s in %s", m.group(1), alert.path("alert").asText()).startsWith("{" + matcher);
      }
      assertThat(selectors).as(expr).isPositive();
    }
  }

  /** The PrometheusRule's spec, rendered from ci/prometheusrule-values.yaml with those values set. */
  private static JsonNode rendered(Map<String, Object> sets) {
    return render(ciValues("prometheusrule"), sets).one("PrometheusRule").path("spec");
  }

  private static List<JsonNode> alerts(JsonNode spec) {
    List<JsonNode> alerts = new ArrayList<>();
    for (JsonNode group : spec.path("groups")) {
      group.path("rules").forEach(alerts::add);
    }
    assertThat(alerts).isNotEmpty();
    return alerts;
  }

  private static List<String> alertNames(JsonNode spec) {
    return alerts(spec).stream().map(a -> a.path("alert").asText()).toList();
  }

  /** The rendered rules as pgvigil-rules.yaml beside their unit test, in a directory under target/. */
  private static Path writeRules(String name, JsonNode spec, Path unitTest) throws IOException {
    Path dir = Path.of("target", name);
    Files.createDirectories(dir);
    YAML.writeValue(dir.resolve("pgvigil-rules.yaml").toFile(), spec);
    Files.copy(unitTest, dir.resolve(unitTest.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return dir;
  }

  /** Runs promtool in {@code dir}; skips the test when it is not installed. */
  private static String promtool(Path dir, String... args) throws IOException, InterruptedException {
    assumeTrue(onPath("promtool"), "promtool is not on the PATH (Debian: apt-get install prometheus)");
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(dir.toFile())
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
