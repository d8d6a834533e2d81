package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.migration.BackendSignals;
import io.pgvigil.checks.migration.SignalResult;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.config.Threshold;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
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
 * aborts a deploy. What is done: in {@code dry-run} (the default) nothing but
 * the decision; in {@code cancel} modes, {@code pg_cancel_backend} of the
 * window's recorded migration backend only, guarded by pid + backend_start +
 * state in the same statement. Every decision is logged and counted.
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

  private final java.util.Map<String, Instant> breachSince = new java.util.HashMap<>();
  private final Set<String> armed = new HashSet<>();
  /** Backends already acted on (pid@backend_start): one decision each, not one per poll. */
  private final Set<String> handled = new HashSet<>();

  public AbortRules(String target, Rules rules, KillSwitchConfig.Mode mode, WindowRegistry windows,
      AbortLog log, Clock clock) {
    this.target = target;
    this.rules = rules;
    this.mode = mode;
    this.windows = windows;
    this.log = log;
    this.clock = clock;
  }

  /** Evaluates the rules on a fresh lock report; completes when any action has been taken. */
  public Future<Void> evaluate(LockReport report, SqlClient client) {
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
      actions.add(act(c, client, now));
    }
    return Future.join(actions).mapEmpty();
  }

  private Future<Void> act(Condition c, SqlClient client, Instant now) {
    List<Future<Void>> done = new ArrayList<>();
    for (MigrationWindow w : windows.openWindows(target)) {
      if (w.backendPid() == null) {
        // An API window does not say which backend is the migration: nothing may be cancelled.
        continue;
      }
      String key = w.backendPid() + "@" + w.backendStart();
      if (!handled.add(key)) {
        continue;
      }
      if (mode == KillSwitchConfig.Mode.DRY_RUN) {
        log.record(new AbortDecision(now, target, c.rule(), c.value(), c.abort().get(), w.id(), "cancel",
            w.backendPid(), w.backendStart(), "dry-run", "dry-run: would cancel the migration's statement"));
        continue;
      }
      done.add(signals.cancel(client, w.backendPid(), w.backendStart())
          .map(result -> record(c, w, now, result))
          .otherwise(e -> {
            log.record(new AbortDecision(now, target, c.rule(), c.value(), c.abort().get(), w.id(), "cancel",
                w.backendPid(), w.backendStart(), "failed", e.getMessage()));
            return null;
          }));
    }
    return Future.join(done).mapEmpty();
  }

  private Void record(Condition c, MigrationWindow w, Instant now, SignalResult result) {
    log.record(new AbortDecision(now, target, c.rule(), c.value(), c.abort().get(), w.id(), "cancel",
        w.backendPid(), w.backendStart(), result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'),
        result.message()));
    return null;
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
