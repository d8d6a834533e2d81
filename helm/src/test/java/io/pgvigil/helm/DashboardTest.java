package io.pgvigil.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DashboardTest {

  /** The matchers that keep one release's series apart from another's. */
  private static final String RELEASE = "cluster=~\"$cluster\", namespace=~\"$namespace\", job=~\"$job\"";

  /** Every metric selector in a query, with its matchers. */
  private static final Pattern SELECTOR = Pattern.compile("\\b(pgvigil_[a-z0-9_]+)(\\{[^}]*})?");

  /** A rule's metric, compared with a number: {@code max by (…) (metric{…}) > 60}. */
  private static final Pattern THRESHOLD =
      Pattern.compile("^(?:\\w+ by \\([^)]*\\) \\()?(pgvigil_[a-z0-9_]+)\\{([^}]*)}\\)? >=? ([0-9 *]+)$");

  private JsonNode dashboard;

  @BeforeEach
  void readDashboard() throws IOException {
    // A parse failure here is the "valid JSON" check.
    dashboard = new ObjectMapper().readTree(RenderedChart.CHART.resolve("dashboards/pgvigil.json").toFile());
  }

  @Test
  void isImportableAnywhere() {
    assertThat(dashboard.has("id")).isTrue();
    assertThat(dashboard.path("id").isNull()).as("no leftover dashboard id").isTrue();
    assertThat(dashboard.path("title").asText()).isNotBlank();
    assertThat(dashboard.path("uid").asText()).isNotBlank();
  }

  @Test
  void hasTheDatasourceAndTargetVariables() {
    JsonNode datasource = variable("datasource");
    assertThat(datasource.path("type").asText()).isEqualTo("datasource");
    assertThat(datasource.path("query").asText()).isEqualTo("prometheus");

    JsonNode target = variable("target");
    assertThat(target.path("type").asText()).isEqualTo("query");
    assertThat(target.at("/query/query").asText())
        .isEqualTo("label_values(pgvigil_up{" + RELEASE + "}, target)");
    assertThat(target.at("/datasource/uid").asText()).isEqualTo("${datasource}");
  }

  @Test
  void everyPanelHasAUnitAndUsesTheDatasourceVariable() {
    for (JsonNode panel : panels()) {
      String title = panel.path("title").asText();
      assertThat(panel.at("/fieldConfig/defaults/unit").asText()).as("unit of %s", title).isNotBlank();
      assertThat(panel.at("/datasource/uid").asText()).as("datasource of %s", title).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as("queries of %s", title).isNotEmpty();
      for (JsonNode query : panel.path("targets")) {
        assertThat(query.at("/datasource/uid").asText()).as("datasource of a query in %s", title)
            .isEqualTo("${datasource}");
      }
    }
    assertThat(dashboard.toString()).doesNotContainPattern("\"uid\"\\s*:\\s*\"(?!\\$\\{datasource}|pgvigil\")");
  }

  @Test
  void queriesOnlyMetricsTheDaemonExports() {
    Set<String> queried = new TreeSet<>();
    for (JsonNode panel : panels()) {
      for (JsonNode query : panel.path("targets")) {
        queried.addAll(ExportedMetrics.queriedBy(query.path("expr").asText()));
      }
    }

    assertThat(queried).isSubsetOf(ExportedMetrics.EXPORTED);
  }

  @Test
  void everyQueryKeepsToTheChosenClusterNamespaceAndJob() {
    List<String> queries = new ArrayList<>();
    panels().forEach(p -> p.path("targets").forEach(q -> queries.add(q.path("expr").asText())));
    dashboard.at("/annotations/list").forEach(a -> queries.add(a.path("expr").asText()));
    queries.add(variable("target").at("/query/query").asText());

    for (String query : queries) {
      Matcher m = SELECTOR.matcher(query);
      int selectors = 0;
      while (m.find()) {
        selectors++;
        assertThat(m.group(2)).as("%s in %s", m.group(1), query).startsWith("{" + RELEASE);
      }
      assertThat(selectors).as(query).isPositive();
    }
  }

  /**
   * The ServiceMonitor's job is the Service's name, the same for a release of that name in another
   * namespace: with namespace at All, a sum over fewer labels would add staging to production.
   */
  @Test
  void everyAggregationKeepsReleasesOfTheSameNameInOtherNamespacesApart() {
    Pattern aggregation =
        Pattern.compile("\\b(sum|max|min|avg|count|topk|bottomk)\\b\\s*(by|without)?\\s*(\\([^)]*\\))?");
    int aggregations = 0;
    for (JsonNode panel : panels()) {
      for (JsonNode query : panel.path("targets")) {
        String expr = query.path("expr").asText();
        Matcher m = aggregation.matcher(expr);
        while (m.find()) {
          aggregations++;
          assertThat(m.group(2)).as("%s in %s", m.group(), panel.path("title").asText()).isEqualTo("by");
          assertThat(m.group(3)).as("%s in %s", m.group(), panel.path("title").asText())
              .startsWith("(cluster, namespace, job, ");
        }
      }
    }
    assertThat(aggregations).isGreaterThanOrEqualTo(12);
  }

  @Test
  void aClusterOrNamespaceLabelThatIsAbsentMatchesAll() {
    for (String name : List.of("cluster", "namespace")) {
      JsonNode v = variable(name);
      assertThat(v.path("includeAll").asBoolean()).as(name).isTrue();
      assertThat(v.path("allValue").asText()).as("an absent label is the empty string, which .* matches")
          .isEqualTo(".*");
      assertThat(v.at("/current/value").asText()).isEqualTo("$__all");
    }
    assertThat(variable("cluster").at("/query/query").asText()).isEqualTo("label_values(pgvigil_up, cluster)");
    assertThat(variable("namespace").at("/query/query").asText()).contains("cluster=~\"$cluster\"");
    JsonNode job = variable("job");
    assertThat(job.path("includeAll").asBoolean()).as("one release at a time: two never merge").isFalse();
    assertThat(job.path("multi").asBoolean()).isFalse();
    assertThat(job.at("/query/query").asText()).contains("namespace=~\"$namespace\"");
  }

  @Test
  void drawsTheAlertThresholdsOnTheTimeSeriesOfTheirMetric() {
    JsonNode rules = RenderedChart.render(RenderedChart.ciValues("prometheusrule"),
        java.util.Map.of("prometheusRule.selector", "job=\"pgvigil\"")).one("PrometheusRule").path("spec");
    int drawn = 0;
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        Matcher m = THRESHOLD.matcher(rule.path("expr").asText());
        if (!m.matches()) {
          continue;
        }
        double threshold = 1;
        for (String factor : m.group(3).split("\\*")) {
          threshold *= Double.parseDouble(factor.strip());
        }
        for (JsonNode panel : panels()) {
          boolean shows = panel.path("targets").toString().contains(m.group(1) + "{");
          if (shows && threshold > 0 && "timeseries".equals(panel.path("type").asText())) {
            JsonNode defaults = panel.at("/fieldConfig/defaults");
            List<Double> steps = new ArrayList<>();
            defaults.at("/thresholds/steps").forEach(step -> steps.add(step.path("value").asDouble()));
            assertThat(steps).as("%s on %s", rule.path("alert").asText(), panel.path("title").asText())
                .contains(threshold);
            assertThat(defaults.at("/custom/thresholdsStyle/mode").asText()).startsWith("line");
            assertLineOnlyOnWhatTheAlertJudges(panel, m.group(1), m.group(2));
            drawn++;
          }
        }
      }
    }
    assertThat(drawn).as("lock wait, lock queue, replication lag, slot").isGreaterThanOrEqualTo(4);
  }

  /**
   * The alert's own matchers besides the release's (kind="replay_delay", sender="physical"): a query
   * whose series lack them has its threshold line turned off by an override of its refId.
   */
  private static void assertLineOnlyOnWhatTheAlertJudges(JsonNode panel, String metric, String ruleMatchers) {
    List<String> own = new ArrayList<>();
    for (String matcher : ruleMatchers.split(",\\s*")) {
      if (!matcher.startsWith("job=")) {
        own.add(matcher);
      }
    }
    Pattern selector = Pattern.compile("\\b" + metric + "\\{([^}]*)}");
    for (JsonNode query : panel.path("targets")) {
      Matcher s = selector.matcher(query.path("expr").asText());
      boolean judged = true;
      while (s.find()) {
        judged &= List.of(s.group(1).split(",\\s*")).containsAll(own);
      }
      if (judged) {
        continue;
      }
      String refId = query.path("refId").asText();
      boolean off = false;
      for (JsonNode override : panel.at("/fieldConfig/overrides")) {
        if ("byFrameRefID".equals(override.at("/matcher/id").asText())
            && refId.equals(override.at("/matcher/options").asText())) {
          for (JsonNode property : override.path("properties")) {
            off |= "custom.thresholdsStyle".equals(property.path("id").asText())
                && "off".equals(property.at("/value/mode").asText());
          }
        }
      }
      assertThat(off).as("query %s of %s draws no threshold: it shows series the alert does not judge (%s)",
          refId, panel.path("title").asText(), own).isTrue();
    }
  }

  @Test
  void filtersByTheTargetVariable() {
    for (JsonNode panel : panels()) {
      for (JsonNode query : panel.path("targets")) {
        String expr = query.path("expr").asText();
        // Per sink: alert delivery has no target label.
        if (!expr.contains("pgvigil_alert_notifications_total") && !expr.contains("pgvigil_alert_spool_depth")) {
          assertThat(expr).as(panel.path("title").asText()).contains("target=~\"$target\"");
        }
      }
    }
  }

  @Test
  void coversEveryAreaOfTheIssue() {
    Set<String> queried = new TreeSet<>();
    panels().forEach(
        p -> p.path("targets").forEach(q -> queried.addAll(ExportedMetrics.queriedBy(q.path("expr").asText()))));

    assertThat(queried).contains(
        "pgvigil_schema_drift_objects", "pgvigil_schema_drift_last_check_timestamp_seconds",
        "pgvigil_lock_waiting_sessions", "pgvigil_lock_wait_max_seconds", "pgvigil_lock_queue_depth_max",
        "pgvigil_ddl_max_duration_seconds", "pgvigil_replication_lag_seconds",
        "pgvigil_replication_slot_retained_bytes", "pgvigil_migration_window_active",
        "pgvigil_abort_actions_total", "pgvigil_alerts_firing", "pgvigil_alert_notifications_total",
        "pgvigil_poll_duration_seconds_sum", "pgvigil_check_errors_total", "pgvigil_target_owner");
  }

  @Test
  void annotatesWindowsAndKillSwitchActionsFromCountersTheDaemonExports() {
    Set<String> queried = new TreeSet<>();
    List<String> names = new ArrayList<>();
    for (JsonNode annotation : dashboard.at("/annotations/list")) {
      names.add(annotation.path("name").asText());
      String expr = annotation.path("expr").asText();
      assertThat(expr).contains("target=~\"$target\"", "increase(");
      assertThat(annotation.at("/datasource/uid").asText()).isEqualTo("${datasource}");
      queried.addAll(ExportedMetrics.queriedBy(expr));
    }
    assertThat(names).contains("Migration windows opened", "Migration windows closed", "Kill-switch actions");
    // Counters, not the window gauge: a window shorter than a scrape interval still counts.
    assertThat(queried).isSubsetOf(ExportedMetrics.EXPORTED).contains("pgvigil_migration_windows_opened_total",
        "pgvigil_migration_windows_closed_total", "pgvigil_abort_actions_total");
  }

  @Test
  void everyPanelLinksToTheStatusPageOfItsTarget() {
    assertThat(variable("status_page").path("type").asText()).isEqualTo("textbox");
    for (JsonNode panel : panels()) {
      JsonNode links = panel.at("/fieldConfig/defaults/links");
      String title = panel.path("title").asText();
      assertThat(links).as("links of %s", title).isNotEmpty();
      String url = links.get(0).path("url").asText();
      assertThat(url).as(title).startsWith("${status_page}/#/");
      boolean perTarget = false;
      for (JsonNode query : panel.path("targets")) {
        perTarget |= query.path("expr").asText().contains("target=~");
      }
      if (perTarget) {
        assertThat(url).as(title).startsWith("${status_page}/#/targets/${__field.labels.target}");
      }
    }
  }

  private JsonNode variable(String name) {
    for (JsonNode v : dashboard.at("/templating/list")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    throw new AssertionError("no variable " + name);
  }

  /** Every panel that shows data; rows only group panels (they have no queries and no unit). */
  private List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        panel.path("panels").forEach(panels::add);
      } else {
        panels.add(panel);
      }
    }
    assertThat(panels).isNotEmpty();
    return panels;
  }
}
