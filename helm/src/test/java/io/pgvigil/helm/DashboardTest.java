package io.pgvigil.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DashboardTest {

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
    assertThat(target.at("/query/query").asText()).isEqualTo("label_values(pgvigil_up, target)");
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
