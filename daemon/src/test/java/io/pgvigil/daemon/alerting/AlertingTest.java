package io.pgvigil.daemon.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.alerts.Blocker;
import io.pgvigil.alerts.testing.Receiver;
import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.schema.Change;
import io.pgvigil.checks.schema.ObjectKind;
import io.pgvigil.checks.schema.ObjectRef;
import io.pgvigil.checks.schema.SchemaFinding;
import io.pgvigil.daemon.cluster.SharedMap;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.drift.DriftReport;
import io.pgvigil.daemon.drift.StructuralReport;
import io.pgvigil.daemon.killswitch.AbortDecision;
import io.pgvigil.daemon.metrics.Metrics;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon's conditions become on the wire, with real Slack and PagerDuty stand-ins on
 * 127.0.0.1: every kind of {@link Signal} fed directly, as the daemon's composition root passes
 * them on: rule verdicts, drift verdicts, kill-switch decisions, targets going down and up.
 */
class AlertingTest {

  @TempDir
  Path dir;

  private final Vertx vertx = Vertx.vertx();
  private final Metrics metrics = new Metrics();
  private final WindowRegistry windows = new WindowRegistry(Clock.systemUTC());
  private Receiver slack;
  private Receiver pagerduty;
  private Alerting alerting;

  @BeforeEach
  void receivers() throws Exception {
    slack = Receiver.start(vertx, 200);
    pagerduty = Receiver.start(vertx, 202);
  }

  @AfterEach
  void stop() throws Exception {
    if (alerting != null) {
      alerting.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    slack.close();
    pagerduty.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    metrics.close();
  }

  private void start(String extra) throws Exception {
    alerting = alerting(extra, metrics, dir.resolve("spool"), Optional.empty());
  }

  /** An instance's alerting; with {@code shared}, its alert state is kept there, as the daemon keeps it. */
  /** How long an adopted alert outlives its verdict's absence (the longest rule {@code for}). */
  private Duration adoptedHold = Duration.ZERO;

  private Alerting alerting(String extra, Metrics meters, Path spool, Optional<SharedMap> shared) throws Exception {
    PgvigilConfig config = new ConfigLoader(Map.of()).parse("""
        targets:
          - { name: app, url: postgresql://pgvigil@db/app }
        alerts:
          slack: { webhookUrl: "%s/services/T0/B0/secret-slack-path" }
          pagerduty: { routingKey: routing-key-secret, url: "%s", severities: [critical] }
        %s
        """.formatted(slack.url(), pagerduty.url(), extra), dir, "config");
    Alerting a = new Alerting(config.alerts(), List.of("app"), spool, meters.registry(), Clock.systemUTC(),
        target -> true, kind -> adoptedHold);
    shared.ifPresent(a::share);
    a.start(vertx, windows).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return a;
  }

  private SharedMap sharedAlerts() throws Exception {
    SharedMap map = new SharedMap(vertx, "alerts", Optional.empty(), Clock.systemUTC());
    map.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return map;
  }

  private static RuleVerdict verdict(RuleKind rule, String object, RuleVerdict.Level level, double value,
      double threshold) {
    return new RuleVerdict("app", rule, object, level, value, threshold,
        Instant.parse("2026-01-01T10:00:00Z"), true,
        List.of(new Blocker(4242, "app_rw", "idle in transaction", 185, "UPDATE accounts SET x = 1")),
        Map.of("lockMode", "AccessExclusiveLock"));
  }

  @Test
  void aWarnGoesToSlackAnAbortPagesAndBothResolveWhenTheirSourceNoLongerListsThem() throws Exception {
    start("");
    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
        verdict(RuleKind.LOCK_QUEUE, "pid 4243", RuleVerdict.Level.WARN, 6, 5))));
    await().until(() -> slack.accepted().size() == 1);
    JsonObject firing = slack.accepted().get(0).json();
    assertThat(firing.getString("text")).isEqualTo("Firing: lockQueue on app");
    assertThat(firing.encode()).contains("6 / 5", "pid 4242", "idle in transaction")
        .doesNotContain("UPDATE accounts");
    assertThat(pagerduty.requests()).as("a warning does not page").isEmpty();

    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
        verdict(RuleKind.LOCK_QUEUE, "pid 4243", RuleVerdict.Level.ABORT, 21, 20))));
    await().until(() -> pagerduty.accepted().size() == 1);
    JsonObject trigger = pagerduty.accepted().get(0).json();
    assertThat(trigger.getString("event_action")).isEqualTo("trigger");
    assertThat(trigger.getString("dedup_key")).isEqualTo("app/lockQueue/pid 4243");
    assertThat(trigger.getJsonObject("payload").getString("severity")).isEqualTo("critical");
    assertThat(trigger.getJsonObject("payload").getJsonObject("custom_details").getJsonArray("census")
        .getJsonObject(0).getInteger("pid")).isEqualTo(4242);

    // Another source's evaluation does not touch the lock alert.
    alerting.accept(new Signal.Verdicts("app", Source.REPLICATION, List.of()));
    alerting.tick();
    assertThat(alerting.firing()).hasSize(1);

    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of()));
    await().until(() -> pagerduty.accepted().size() == 2);
    JsonObject resolve = pagerduty.accepted().get(1).json();
    assertThat(resolve.getString("event_action")).isEqualTo("resolve");
    assertThat(resolve.getString("dedup_key")).isEqualTo(trigger.getString("dedup_key"));
    assertThat(resolve.getString("routing_key")).isEqualTo(trigger.getString("routing_key"));
    // Slack takes one message a second: the escalation and the resolve may share one.
    await().until(() -> slack.accepted().stream()
        .anyMatch(r -> r.body().toString().contains("*RESOLVED* *lockQueue on app")));
    assertThat(alerting.firing()).isEmpty();
    assertThat(alerting.recentlyResolved()).extracting(a -> a.key()).containsExactly("app/lockQueue/pid 4243");

    String exposition = metrics.scrape();
    await().until(() -> Http.sample(metrics.scrape(),
        "pgvigil_alert_notifications_total{result=\"sent\",sink=\"pagerduty\"}") == 2.0);
    assertThat(Http.sample(exposition, "pgvigil_alerts_firing{rule=\"lockQueue\",target=\"app\"}"))
        .isEqualTo(0.0);
    assertThat(exposition).contains("pgvigil_alert_spool_depth{sink=\"slack\"}")
        .doesNotContain("secret-slack-path", "routing-key-secret");
  }

  @Test
  void aRetiredTargetsAlertsResolveAndItsMemoryGoes() throws Exception {
    start("");
    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
        verdict(RuleKind.LOCK_QUEUE, "pid 4243", RuleVerdict.Level.WARN, 6, 5))));
    await().until(() -> slack.accepted().size() == 1);
    alerting.tick();
    assertThat(Http.sample(metrics.scrape(), "pgvigil_alerts_firing{rule=\"lockQueue\",target=\"app\"}"))
        .isEqualTo(1.0);

    // Its database was dropped: no evaluation will ever clear the condition, the retirement does.
    alerting.retire("app");
    assertThat(alerting.firing()).isEmpty();
    assertThat(alerting.recentlyResolved()).extracting(a -> a.key()).containsExactly("app/lockQueue/pid 4243");
    await().until(() -> slack.accepted().stream()
        .anyMatch(r -> r.body().toString().contains("*RESOLVED* *lockQueue on app")));

    // A database of the same name created later is a new target: its alert fires as new, and is counted.
    metrics.registry().getMeters().stream().filter(m -> "app".equals(m.getId().getTag("target")))
        .toList().forEach(metrics.registry()::remove);
    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
        verdict(RuleKind.LOCK_QUEUE, "pid 4243", RuleVerdict.Level.WARN, 6, 5))));
    assertThat(alerting.firing()).hasSize(1);
    alerting.tick();
    assertThat(Http.sample(metrics.scrape(), "pgvigil_alerts_firing{rule=\"lockQueue\",target=\"app\"}"))
        .isEqualTo(1.0);
  }

  @Test
  void queryTextReachesTheCensusOnlyWhenConfigured() throws Exception {
    start("  queryText: true");
    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
        verdict(RuleKind.LOCK_WAIT, "pid 4243", RuleVerdict.Level.WARN, 3, 2))));
    await().until(() -> slack.accepted().size() == 1);
    assertThat(alerting.firing().get(0).census().get(0).query()).isEqualTo("UPDATE accounts SET x = 1");
  }

  @Test
  void historyDriftAlertsOnEditedMigrationsNotOnPendingOnesAndResolvesWhenClean() throws Exception {
    start("");
    alerting.accept(new Signal.Drift(history(List.of(problem(HistoryProblemKind.PENDING, "V12__next.sql")))));
    alerting.tick();
    assertThat(alerting.firing()).as("a pending migration is a deploy to come, not drift").isEmpty();

    alerting.accept(new Signal.Drift(history(List.of(
        problem(HistoryProblemKind.CHECKSUM_MISMATCH, "V2__products.sql"),
        problem(HistoryProblemKind.PENDING, "V12__next.sql")))));
    await().until(() -> slack.accepted().size() == 1);
    assertThat(alerting.firing()).singleElement().satisfies(a -> {
      assertThat(a.key()).isEqualTo("app/historyDrift/");
      assertThat(a.summary()).contains("1 checksum-mismatch").doesNotContain("pending");
      assertThat(a.details()).containsEntry("checksum-mismatch", "V2__products.sql");
    });

    alerting.accept(new Signal.Drift(
        DriftReport.failed("app", Instant.now(), Optional.empty(), "connection refused")));
    alerting.tick();
    assertThat(alerting.firing()).as("a failed check is no verdict").hasSize(1);

    alerting.accept(new Signal.Drift(history(List.of())));
    await().until(() -> slack.accepted().size() == 2);
    assertThat(slack.accepted().get(1).json().getString("text")).isEqualTo("Resolved: historyDrift on app");
  }

  @Test
  void schemaDriftIgnoresCosmeticFindingsAndStaleVerdicts() throws Exception {
    start("");
    alerting.accept(new Signal.Drift(structure(List.of(finding(
        io.pgvigil.checks.schema.Severity.COSMETIC, ObjectKind.COMMENT,
        "table public.orders")), false)));
    alerting.tick();
    assertThat(alerting.firing()).isEmpty();

    alerting.accept(new Signal.Drift(structure(List.of(finding(
        io.pgvigil.checks.schema.Severity.PERFORMANCE, ObjectKind.INDEX,
        "public.orders_status_idx")), false)));
    await().until(() -> slack.accepted().size() == 1);
    assertThat(alerting.firing()).singleElement().satisfies(a -> {
      assertThat(a.key()).isEqualTo("app/schemaDrift/");
      assertThat(a.summary()).contains("unexpected index public.orders_status_idx");
    });
    alerting.accept(new Signal.Drift(structure(List.of(), true)));
    alerting.tick();
    assertThat(alerting.firing()).as("a verdict kept while a migration runs changes nothing").hasSize(1);
    alerting.accept(new Signal.Drift(structure(List.of(), false)));
    alerting.tick();
    assertThat(alerting.firing()).isEmpty();
  }

  @Test
  void aKillSwitchDecisionPagesUntilItsWindowCloses() throws Exception {
    start("");
    MigrationWindow window = windows.open("app", Duration.ofMinutes(30), "deploy 42", "in-window");
    alerting.accept(new Signal.KillSwitch(new AbortDecision(Instant.now(), "app", "lockQueue", 21, 20,
        window.id(), "cancel", 4243, null, "cancelled", "cancelled the migration's statement", null)));
    await().until(() -> pagerduty.accepted().size() == 1);
    JsonObject trigger = pagerduty.accepted().get(0).json();
    assertThat(trigger.getString("dedup_key")).isEqualTo("app/killSwitch/window " + window.id() + " cancel");
    assertThat(trigger.getJsonObject("payload").getString("summary"))
        .isEqualTo("killSwitch on app: cancel cancelled after lockQueue 21 reached abort 20");

    alerting.accept(new Signal.KillSwitch(new AbortDecision(Instant.now(), "app", "lockQueue", 21, 20,
        window.id(), "hook", null, null, "ok", "exec /hooks/abort.sh: job 42 failed, token=abc123", null)));
    await().until(() -> pagerduty.accepted().size() == 2);
    assertThat(pagerduty.accepted().get(1).json().getString("dedup_key"))
        .isEqualTo("app/killSwitch/window " + window.id() + " hook");
    assertThat(pagerduty.accepted().get(1).body().toString()).as("a hook's output stays home")
        .doesNotContain("token=abc123");

    alerting.tick();
    assertThat(alerting.firing()).hasSize(2);
    windows.close(window.id(), "closed");
    await().until(() -> pagerduty.accepted().size() == 4);
    assertThat(pagerduty.accepted().subList(2, 4))
        .allSatisfy(r -> assertThat(r.json().getString("event_action")).isEqualTo("resolve"));
  }

  @Test
  void aTargetDownLongerThanTheGracePagesAndResolvesWhenItAnswers() throws Exception {
    start("");
    Instant now = Instant.now();
    alerting.accept(new Signal.Reachability("app", false, now.minusSeconds(5)));
    alerting.tick();
    assertThat(alerting.firing()).as("one failed heartbeat pages nobody").isEmpty();

    alerting.accept(new Signal.Reachability("app", false, now.minusSeconds(31)));
    await().until(() -> pagerduty.accepted().size() == 1);
    assertThat(pagerduty.accepted().get(0).json().getString("dedup_key")).isEqualTo("app/targetDown/");

    alerting.accept(new Signal.Reachability("app", true, Instant.now()));
    await().until(() -> pagerduty.accepted().size() == 2);
    assertThat(pagerduty.accepted().get(1).json().getString("event_action")).isEqualTo("resolve");
  }

  @Test
  void withResolveOffNothingIsSentWhenAnAlertClears() throws Exception {
    start("  resolve: false");
    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
        verdict(RuleKind.LOCK_QUEUE, "pid 4243", RuleVerdict.Level.ABORT, 21, 20))));
    await().until(() -> pagerduty.accepted().size() == 1 && slack.accepted().size() == 1);
    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of()));
    alerting.tick();
    assertThat(alerting.firing()).isEmpty();
    await().during(Duration.ofSeconds(1)).until(() -> pagerduty.requests().size() == 1
        && slack.requests().size() == 1);
  }

  @Test
  void theInstanceThatTakesATargetResolvesWhatClearedAndDoesNotPageWhatStillHolds() throws Exception {
    SharedMap shared = sharedAlerts();
    alerting = alerting("", metrics, dir.resolve("spool"), Optional.of(shared));
    alerting.accept(new Signal.Ownership("app", true));
    MigrationWindow window = windows.open("app", Duration.ofMinutes(30), "deploy 42", "in-window");
    alerting.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
        verdict(RuleKind.LOCK_QUEUE, "", RuleVerdict.Level.ABORT, 21, 20),
        verdict(RuleKind.LOCK_WAIT, "", RuleVerdict.Level.WARN, 3, 2))));
    alerting.accept(new Signal.KillSwitch(new AbortDecision(Instant.now(), "app", "lockQueue", 21, 20,
        window.id(), "cancel", 4243, null, "cancelled", "cancelled the migration's statement", null)));
    await().until(() -> pagerduty.accepted().size() == 2 && slack.accepted().size() >= 1);
    await().until(() -> shared.get("app").map(r -> r.size() == 3
        && r.stream().allMatch(e -> !((JsonObject) e.getValue()).getJsonArray("sentTo").isEmpty())).orElse(false));

    // Another instance takes the target: this one forgets its alerts, resolving none, and still lists
    // them from the shared record (any instance answers for every target).
    alerting.accept(new Signal.Ownership("app", false));
    assertThat(alerting.firing()).extracting(a -> a.rule()).containsExactlyInAnyOrder("lockQueue", "lockWait",
        "killSwitch");
    try (Metrics otherMetrics = new Metrics()) {
      Alerting other = alerting("", otherMetrics, dir.resolve("other-spool"), Optional.of(shared));
      try {
        other.accept(new Signal.Ownership("app", true));
        assertThat(other.firing()).extracting(a -> a.rule()).containsExactlyInAnyOrder("lockQueue", "lockWait",
            "killSwitch");
        int slackBefore = slack.accepted().size();
        // lockQueue still holds, lockWait has cleared: one resolve, to Slack only (PagerDuty never heard it).
        other.accept(new Signal.Verdicts("app", Source.LOCKS, List.of(
            verdict(RuleKind.LOCK_QUEUE, "", RuleVerdict.Level.ABORT, 25, 20))));
        await().until(() -> slack.accepted().size() == slackBefore + 1);
        assertThat(slack.accepted().get(slackBefore).body().toString()).contains("RESOLVED", "lockWait on app")
            .doesNotContain("lockQueue on app");
        windows.close(window.id(), "closed");
        await().until(() -> pagerduty.accepted().size() == 3);
        await().during(Duration.ofSeconds(1)).until(() -> pagerduty.accepted().size() == 3);
        assertThat(pagerduty.accepted().get(2).json().getString("dedup_key"))
            .isEqualTo("app/killSwitch/window " + window.id() + " cancel");
        assertThat(pagerduty.accepted().get(2).json().getString("event_action")).isEqualTo("resolve");
        assertThat(other.firing()).extracting(a -> a.rule()).containsExactly("lockQueue");
      } finally {
        other.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    shared.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anAdoptedAlertOutlivesItsVerdictsAbsenceUntilTheRulesForCouldHavePassed() throws Exception {
    SharedMap shared = sharedAlerts();
    alerting = alerting("", metrics, dir.resolve("spool"), Optional.of(shared));
    alerting.accept(new Signal.Ownership("app", true));
    alerting.accept(new Signal.Verdicts("app", Source.REPLICATION, List.of(
        verdict(RuleKind.REPLICATION_LAG, "replica-1", RuleVerdict.Level.WARN, 20, 10))));
    await().until(() -> slack.accepted().size() == 1);
    await().until(() -> shared.get("app").map(r -> r.size() == 1).orElse(false));
    alerting.accept(new Signal.Ownership("app", false));

    adoptedHold = Duration.ofSeconds(2);
    try (Metrics otherMetrics = new Metrics()) {
      Alerting other = alerting("", otherMetrics, dir.resolve("other-spool"), Optional.of(shared));
      try {
        other.accept(new Signal.Ownership("app", true));
        // The new owner's first evaluations lack the verdict: its `for` started over there.
        Signal.Verdicts none = new Signal.Verdicts("app", Source.REPLICATION, List.of());
        other.accept(none);
        other.accept(none);
        assertThat(other.firing()).extracting(a -> a.rule()).containsExactly("replicationLag");
        // Still true once the `for` has passed: the same alert, no new page.
        other.accept(new Signal.Verdicts("app", Source.REPLICATION, List.of(
            verdict(RuleKind.REPLICATION_LAG, "replica-1", RuleVerdict.Level.WARN, 25, 10))));
        await().during(Duration.ofMillis(700)).until(() -> slack.accepted().size() == 1);
        // Seen here now: when it clears, its absence resolves it at once, and once.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
          other.accept(none);
          return slack.accepted().size() == 2;
        });
        assertThat(slack.accepted().get(1).body().toString()).contains("RESOLVED", "replicationLag on app");
      } finally {
        other.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
    shared.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTargetDownAlertTakenOverWhileTheTargetAnswersResolves() throws Exception {
    SharedMap shared = sharedAlerts();
    alerting = alerting("", metrics, dir.resolve("spool"), Optional.of(shared));
    alerting.accept(new Signal.Reachability("app", false, Instant.now().minusSeconds(31)));
    alerting.tick();
    await().until(() -> pagerduty.accepted().size() == 1);
    alerting.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    try (Metrics otherMetrics = new Metrics()) {
      alerting = alerting("", otherMetrics, dir.resolve("spool"), Optional.of(shared));
      alerting.accept(new Signal.Reachability("app", true, Instant.now()));
      alerting.accept(new Signal.Ownership("app", true));
      await().until(() -> pagerduty.accepted().size() == 2);
      assertThat(pagerduty.accepted().get(1).json().getString("event_action")).isEqualTo("resolve");
      assertThat(shared.get("app")).isEmpty();
    }
    shared.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static DriftReport history(List<HistoryProblem> problems) {
    return DriftReport.of("app", new HistoryReport(MigrationTool.FLYWAY, "public.flyway_schema_history", 11,
        (int) problems.stream().filter(p -> p.kind() == HistoryProblemKind.PENDING).count(), Optional.empty(),
        problems, List.of("1", "2"), List.of(), Instant.now()), null);
  }

  private static HistoryProblem problem(HistoryProblemKind kind, String script) {
    return new HistoryProblem(kind, script.substring(1, script.indexOf("__")), "x", script, "detail");
  }

  private static DriftReport structure(List<SchemaFinding> findings, boolean stale) {
    return DriftReport.of("app", new HistoryReport(MigrationTool.FLYWAY, "public.flyway_schema_history", 11, 0,
        Optional.empty(), List.of(), List.of("1"), List.of(), Instant.now()),
        new StructuralReport(findings, "replay", false, 100, Instant.now(), stale));
  }

  private static SchemaFinding finding(io.pgvigil.checks.schema.Severity severity, ObjectKind kind, String name) {
    return new SchemaFinding(new ObjectRef(kind, name), Change.UNEXPECTED, severity, null, "def", "made by hand",
        Optional.empty());
  }
}
