package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.migration.BackendSignals;
import io.pgvigil.alerts.HookEvent;
import io.pgvigil.alerts.Severity;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.config.Threshold;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The abort rules of one target, evaluated after every lock poll, on the
 * target's event loop. An abort applies only inside a migration window. A
 * breach must last the rule's {@code for}, and then hold on one more, fresh
 * poll (the second chance) before anything is done, so a one-poll spike never
 * aborts a deploy. What is done, once per window: in {@code dry-run} (the
 * default) nothing but the decisions; in {@code cancel} modes,
 * {@code pg_cancel_backend} of the window's recorded migration backend only,
 * guarded by pid + backend_start + state in the same statement, and the
 * kill-switch hooks (a program with PGVIGIL_* variables, a signed POST). Every
 * decision is logged and counted.
 */
public final class AbortRules {

  private static final Logger LOG = LoggerFactory.getLogger(AbortRules.class);

  /** One watched condition: its name, today's value, and its thresholds. */
  private record Condition(String rule, double value, Optional<Double> abort, Duration sustainedFor) {}

  private final String target;
  private final Rules rules;
  private final KillSwitchConfig.Mode mode;
  private final WindowRegistry windows;
  private final AbortLog log;
  private final Clock clock;
  private final BackendSignals signals = new BackendSignals();
  private final KillSwitchHooks hooks;

  private final java.util.Map<String, Instant> breachSince = new java.util.HashMap<>();
  private final Set<String> armed = new HashSet<>();
  /** Windows already acted on: one abort per window, not one per poll. */
  private final Set<String> handled = new HashSet<>();

  public AbortRules(String target, Rules rules, KillSwitchConfig killSwitch, WindowRegistry windows,
      AbortLog log, Clock clock) {
    this.target = target;
    this.rules = rules;
    this.mode = killSwitch.mode();
    this.hooks = new KillSwitchHooks(killSwitch.hooks());
    this.windows = windows;
    this.log = log;
    this.clock = clock;
  }

  /** Evaluates the rules on a fresh lock report; completes when any action has been taken. */
  public Future<Void> evaluate(LockReport report, Vertx vertx, SqlClient client) {
    Instant now = clock.instant();
    List<Future<Void>> actions = new ArrayList<>();
    for (Condition c : conditions(report)) {
      boolean breached = c.abort().isPresent() && c.value() >= c.abort().get();
      if (!breached) {
        breachSince.remove(c.rule());
        armed.remove(c.rule());
        continue;
      }
      Instant since = breachSince.computeIfAbsent(c.rule(), r -> now);
      if (Duration.between(since, now).compareTo(c.sustainedFor()) < 0 || !windows.active(target)) {
        continue;
      }
      if (armed.add(c.rule())) {
        LOG.info("target {}: abort rule {} breached ({} >= {}); checking once more on the next poll",
            target, c.rule(), c.value(), c.abort().get());
        continue;
      }
      actions.add(act(c, vertx, client, now));
    }
    return Future.join(actions).mapEmpty();
  }

  /**
   * Acts once per open window of the target: cancels the window's recorded migration backend
   * (when it has one) and runs the hooks (which can fail the CI job even for a window opened
   * through the API, where no backend is known). In dry-run, only the decisions are recorded.
   */
  private Future<Void> act(Condition c, Vertx vertx, SqlClient client, Instant now) {
    List<Future<Void>> done = new ArrayList<>();
    for (MigrationWindow w : windows.openWindows(target)) {
      if (!handled.add(w.id())) {
        continue;
      }
      boolean dryRun = mode == KillSwitchConfig.Mode.DRY_RUN;
      if (w.backendPid() != null) {
        if (dryRun) {
          decide(c, w, now, "cancel", "dry-run", "dry-run: would cancel the migration's statement");
        } else {
          done.add(signals.cancel(client, w.backendPid(), w.backendStart())
              .map(result -> decide(c, w, now, "cancel",
                  result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'), result.message()))
              .otherwise(e -> decide(c, w, now, "cancel", "failed", e.getMessage())));
        }
      }
      if (!hooks.isEmpty()) {
        if (dryRun) {
          hooks.names().forEach(name -> decide(c, w, now, "hook", "dry-run", "dry-run: would run " + name));
        } else {
          done.add(runHooks(c, w, vertx, now));
        }
      }
    }
    return Future.join(done).mapEmpty();
  }

  private Future<Void> runHooks(Condition c, MigrationWindow w, Vertx vertx, Instant now) {
    HookEvent event = new HookEvent(target, c.rule(), "abort", Severity.CRITICAL, format(c.value()),
        format(c.abort().get()), w.id(), w.backendPid() == null ? List.of() : List.of(w.backendPid()),
        "pgvigil aborted the migration on " + target + ": " + c.rule() + " " + format(c.value())
            + " >= " + format(c.abort().get()), now);
    List<String> names = hooks.names();
    return hooks.run(vertx, event).map(results -> {
      for (int i = 0; i < results.size(); i++) {
        decide(c, w, now, "hook", results.get(i).ok() ? "ok" : "failed",
            names.get(i) + ": " + results.get(i).message());
      }
      return (Void) null;
    }).otherwise(e -> decide(c, w, now, "hook", "failed", e.getMessage()));
  }

  private Void decide(Condition c, MigrationWindow w, Instant now, String action, String result,
      String message) {
    log.record(new AbortDecision(now, target, c.rule(), c.value(), c.abort().get(), w.id(), action,
        w.backendPid(), w.backendStart(), result, message));
    return null;
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
  }

  private List<Condition> conditions(LockReport report) {
    return List.of(
        seconds(Rules.LOCK_WAIT, report.summary().maxLockWaitSeconds(), rules.lockWait()),
        new Condition(Rules.LOCK_QUEUE, report.summary().maxQueueDepth(),
            rules.lockQueue().abort().map(Integer::doubleValue), rules.lockQueue().sustainedFor()),
        seconds(Rules.DDL_RUNTIME, report.summary().ddlMaxSeconds(), rules.ddlRuntime()),
        seconds(Rules.IDLE_IN_TRANSACTION, report.summary().idleInTransactionMaxSeconds(),
            rules.idleInTransaction()));
  }

  private static Condition seconds(String rule, double value, Threshold<Duration> t) {
    return new Condition(rule, value, t.abort().map(d -> d.toNanos() / 1e9), t.sustainedFor());
  }
}
