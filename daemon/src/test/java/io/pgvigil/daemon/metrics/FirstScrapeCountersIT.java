package io.pgvigil.daemon.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every counter the chart's rules and dashboard query exists at 0 on the first scrape: {@code increase()} needs a
 * sample before the first event to see it, and a panel of a counter that was never incremented says "No data".
 */
class FirstScrapeCountersIT {

  /** The chart's files, relative to this module's directory (where the tests run). */
  private static final List<Path> QUERIES = List.of(
      Path.of("../helm/pgvigil/rules/pgvigil-rules.yaml"), Path.of("../helm/pgvigil/dashboards/pgvigil.json"));
  private static final Pattern COUNTER = Pattern.compile("\\bpgvigil_[a-z0-9_]+_total\\b");

  private static OwnedTestPostgres pg;

  @BeforeAll
  static void startServer() throws IOException {
    pg = TestServers.start("first-scrape");
  }

  @AfterAll
  static void stopServer() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void everyCounterTheRulesAndTheDashboardQueryIsThereAtZeroBeforeAnythingHappened() throws Exception {
    Set<String> counters = countersQueried();
    assertThat(counters).contains("pgvigil_abort_actions_total", "pgvigil_check_errors_total");

    // One poll at start, none after it: nothing fails, no window opens, nothing is decided or sent. The kill
    // switch is in its default dry-run mode, without hooks.
    try (RunningDaemon running = TestDaemon.watching(pg)
        .watch("interval: 1h, windowInterval: 1h, statementTimeout: 10s")
        .with("alerts: { webhooks: [{ name: ci, url: \"http://127.0.0.1:9/hook\" }] }")
        .start()) {
      String exposition = new Http(running.port()).get("/metrics").body();

      for (String counter : counters) {
        List<String> samples = samples(exposition, counter);
        assertThat(samples).as("%s on the first scrape", counter).isNotEmpty();
        assertThat(samples).as(counter).allSatisfy(line -> assertThat(line).endsWith(" 0.0"));
      }
      // What a dry run without hooks can record, and nothing it cannot (a dry run never signals).
      assertThat(samples(exposition, "pgvigil_abort_actions_total")).containsExactlyInAnyOrder(
          "pgvigil_abort_actions_total{action=\"cancel\",result=\"dry-run\",target=\"app\"} 0.0",
          "pgvigil_abort_actions_total{action=\"hook\",result=\"skipped\",target=\"app\"} 0.0");
      assertThat(Http.sample(exposition,
          "pgvigil_alert_notifications_total{result=\"spool_failed\",sink=\"ci\"}")).isZero();
    }
  }

  private static Set<String> countersQueried() throws IOException {
    Set<String> counters = new TreeSet<>();
    for (Path file : QUERIES) {
      Matcher m = COUNTER.matcher(Files.readString(file));
      while (m.find()) {
        counters.add(m.group());
      }
    }
    return counters;
  }

  private static List<String> samples(String exposition, String name) {
    List<String> samples = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        samples.add(line);
      }
    }
    return samples;
  }
}
