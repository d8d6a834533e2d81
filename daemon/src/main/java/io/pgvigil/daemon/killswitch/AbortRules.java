package io.pgvigil.daemon.killswitch;

import io.pgvigil.alerts.HookEvent;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.migration.BackendSignals;
import io.pgvigil.checks.migration.SignalResult;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kill switch of one target, on the target's event loop. It acts on verdicts at the ABORT
 * level: inside a migration window (the in-window profile), or outside one only where
 * {@code rules.always} sets an abort level. A verdict must be at ABORT once more on the next fresh
 * poll of its source (the second chance) before anything is done, so a one-poll spike never aborts
 * a deploy. What is done, once per window (or once per breach outside windows): in {@code dry-run}
 * (the default) nothing but the decisions; in {@code cancel}, {@code pg_cancel_backend} of the
 * migration only (the window's recorded backend, or for a window that names none the waiting DDL
 * requests with a queue behind them: see {@link Stall}), guarded by pid + backend_start + state in
 * the same statement; in {@code cancel-and-terminate-blockers} also {@code pg_terminate_backend} of
 * that stall's idle-in-transaction root blockers of allowlisted roles, idle long enough (guarded the
 * same way); and the kill-switch hooks. The dead-man switch fires the hooks when the target has
 * not been polled for too long while a window is open. Every decision is logged and counted.
 */
public final class AbortRules {

  private static final Logger LOG = LoggerFactory.getLogger(AbortRules.class);
  public static final String DEAD_MAN = "deadMan";
  private static final String WINDOW = "window/";
  private static final String DEAD_MAN_KEY = "deadman/";
  private static final String ALWAYS = "always/";
  /** Windows naming no backend whose abort found no stall yet: the first stall seen later is cancelled. */
  private static final String AWAITING_STALL = "awaiting-stall/";

  private final String target;
  private final KillSwitchConfig killSwitch;
  private final KillSwitchConfig.Mode mode;
  private final WindowRegistry windows;
  private final AbortLog log;
  private final Clock clock;
  private final BackendSignals signals = new BackendSignals();
  private final StallSignals stallSignals;
  private final KillSwitchHooks hooks;

  /** Verdicts at ABORT on the previous poll of their source: the next one acts. */
  private final Set<String> armed = new HashSet<>();
  /** Windows (or outside-window breaches) already acted on: one abort each, not one per poll. */
  private final Set<String> handled = new HashSet<>();
  private Instant lastLockPoll;

  public AbortRules(String target, KillSwitchConfig killSwitch, WindowRegistry windows, AbortLog log,
      Clock clock) {
    this.target = target;
    this.killSwitch = killSwitch;
    this.mode = killSwitch.mode();
    this.hooks = new KillSwitchHooks(killSwitch.hooks());
    this.stallSignals = new StallSignals(signals, killSwitch);
    this.windows = windows;
    this.log = log;
    this.clock = clock;
    this.lastLockPoll = clock.instant();
  }

  /**
   * Acts on one source's fresh verdicts; {@code locks} is the latest lock report (the root
   * blockers a terminate may reach). Completes when every action has been taken.
   */
  public Future<Void> evaluate(Source source, List<RuleVerdict> verdicts, LockReport locks, Vertx vertx,
      SqlClient client) {
    Instant now = clock.instant();
    if (source == Source.LOCKS) {
      lastLockPoll = now;
    }
    // Only a lock report of this very evaluation shows a stall, never an older one behind a
    // replication verdict: the terminate guard accepts a blocker as seen blocking at this poll.
    LockReport polled = source == Source.LOCKS ? locks : null;
    Set<String> atAbort = new HashSet<>();
    List<Future<Void>> actions = new ArrayList<>();
    for (RuleVerdict v : verdicts) {
      if (v.level() != RuleVerdict.Level.ABORT) {
        continue;
      }
      // The profile is part of the key: a breach armed outside a window is not the second chance
      // of the in-window rules.
      String key = source + "/" + v.rule() + "/" + v.object() + (v.inWindow() ? "/in-window" : "/always");
      atAbort.add(key);
      if (armed.add(key)) {
        LOG.info("target {}: abort rule {}{} breached ({} >= {}); checking once more on the next poll",
            target, v.rule().yaml(), v.object().isEmpty() ? "" : " (" + v.object() + ")", v.formattedValue(),
            v.formattedThreshold());
        continue;
      }
      actions.add(v.inWindow() ? actInWindows(v, polled, vertx, client, now) : actOutsideWindows(key, v, vertx, now));
    }
    // A verdict no longer at ABORT disarms, and outside windows may act again when it returns.
    armed.removeIf(k -> k.startsWith(source + "/") && !atAbort.contains(k));
    handled.removeIf(k -> k.startsWith(ALWAYS + source + "/") && !atAbort.contains(k.substring(ALWAYS.length())));
    // Windows that have closed need no memory.
    Set<String> open = new HashSet<>();
    windows.openWindows(target).forEach(w -> open.add(w.id()));
    handled.removeIf(k -> (k.startsWith(WINDOW) && !open.contains(k.substring(WINDOW.length())))
        || (k.startsWith(DEAD_MAN_KEY) && !open.contains(k.substring(DEAD_MAN_KEY.length())))
        || (k.startsWith(AWAITING_STALL) && !open.contains(k.substring(AWAITING_STALL.length()))));
    return Future.join(actions).mapEmpty();
  }

  /**
   * The dead-man switch, called periodically: when a window is open and the lock watch has not
   * polled the target for longer than {@code killSwitch.deadMan.after}, the hooks fire, once per
   * window. pgvigil cannot cancel anything on a target it cannot reach.
   */
  public Future<Void> deadManTick(Vertx vertx) {
    if (killSwitch.deadManAfter().isEmpty()) {
      return Future.succeededFuture();
    }
    Instant now = clock.instant();
    List<Future<Void>> done = new ArrayList<>();
    double after = killSwitch.deadManAfter().get().toMillis() / 1000.0;
    for (MigrationWindow w : windows.openWindows(target)) {
      // Unseen since the last lock poll, or since the window opened if that came later: a window
      // that opens between two slow polls has not lost sight of anything yet.
      Instant since = lastLockPoll.isAfter(w.openedAt()) ? lastLockPoll : w.openedAt();
      Duration unseen = Duration.between(since, now);
      if (unseen.compareTo(killSwitch.deadManAfter().get()) < 0 || !handled.add(DEAD_MAN_KEY + w.id())) {
        continue;
      }
      double seconds = unseen.toMillis() / 1000.0;
      Action a = new Action(DEAD_MAN, seconds, after, w);
      LOG.warn("target {}: not polled for {}s while window {} is open; dead-man switch fires", target,
          Math.round(seconds), w.id());
      if (hooks.isEmpty()) {
        decide(a, now, "hook", "skipped", "the dead-man switch fired but no kill-switch hooks are configured");
      } else if (mode == KillSwitchConfig.Mode.DRY_RUN) {
        hooks.names().forEach(name -> decide(a, now, "hook", "dry-run", "dry-run: would run " + name));
      } else {
        done.add(runHooks(a, recorded(w), vertx, now));
      }
    }
    return Future.join(done).mapEmpty();
  }

  /** What an action is about: the rule, its value and threshold, the window (null outside one). */
  private record Action(String rule, double value, double threshold, MigrationWindow window) {}

  /**
   * Once per abort, for every in-window window not acted on yet: cancel the migration, terminate
   * the stall's blockers (opt-in), and run the hooks once. A CI pipeline's API window and the
   * automatic window of the same migration are one deploy, not two. The migration is each recorded
   * backend of an automatic window; when no window records one (a window opened through the API),
   * it is every waiting DDL request with a queue behind it on this fresh lock poll ({@link Stall}).
   */
  private Future<Void> actInWindows(RuleVerdict v, LockReport locks, Vertx vertx, SqlClient client, Instant now) {
    List<MigrationWindow> open = windows.openWindows(target);
    List<MigrationWindow> fresh = open.stream()
        .filter(w -> WindowRegistry.IN_WINDOW.equals(w.profile()))
        .filter(w -> !handled.contains(WINDOW + w.id()))
        .toList();
    if (fresh.isEmpty()) {
      return actOnLaterStall(v, locks, client, now);
    }
    fresh.forEach(w -> handled.add(WINDOW + w.id()));
    boolean dryRun = mode == KillSwitchConfig.Mode.DRY_RUN;
    List<Future<Void>> cancels = new ArrayList<>();
    Set<Integer> migrationPids = new LinkedHashSet<>();
    for (MigrationWindow w : fresh) {
      if (w.backendPid() == null || !migrationPids.add(w.backendPid())) {
        continue;
      }
      Action a = new Action(v.rule().yaml(), v.value(), v.threshold(), w);
      if (dryRun) {
        decide(a, now, "cancel", "dry-run", "dry-run: would cancel the migration's statement");
      } else {
        cancels.add(signals.cancel(client, w.backendPid(), w.backendStart())
            .map(result -> decide(a, now, "cancel", result, w.backendPid(), w.backendStart()))
            .otherwise(e -> decide(a, now, "cancel", "failed", e.getMessage())));
      }
    }
    // The window the hooks and the other decisions name: one that records the migration.
    MigrationWindow named = fresh.stream().filter(w -> w.backendPid() != null).findFirst().orElse(fresh.get(0));
    Action a = new Action(v.rule().yaml(), v.value(), v.threshold(), named);
    Stall stall = !migrationPids.isEmpty() ? Stall.ofMigration(locks, migrationPids) : Stall.guessed(open, locks);
    if (migrationPids.isEmpty() && stall.requests().isEmpty()) {
      // Aborted before any DDL request had a queue (a lockWait on a quiet table, say): the hooks run
      // now, and the first stall a later abort in this window sees is still cancelled.
      fresh.forEach(w -> handled.add(AWAITING_STALL + w.id()));
    }
    if (!stall.requests().isEmpty()) {
      handled.removeIf(k -> k.startsWith(AWAITING_STALL)); // cancelled for this deploy: no window awaits one
    }
    Future<Void> signalled = signal(a, stall, locks, client, now, cancels);
    List<Future<Void>> done = new ArrayList<>();
    done.add(signalled);
    if (!hooks.isEmpty()) {
      if (dryRun) {
        hooks.names().forEach(name -> decide(a, now, "hook", "dry-run", "dry-run: would run " + name));
      } else {
        // The hooks are told the backends this abort cancels: the recorded migrations, or the stall's requests.
        done.add(runHooks(a, migrationPids.isEmpty() ? stall.requestPids() : List.copyOf(migrationPids), vertx, now));
      }
    }
    return Future.join(done).mapEmpty();
  }

  /**
   * An abort in windows already acted on, that name no backend and found no stall then: a stall on
   * this fresh lock poll is cancelled (and its blockers terminated, opt-in) once; no hook runs again.
   */
  private Future<Void> actOnLaterStall(RuleVerdict v, LockReport locks, SqlClient client, Instant now) {
    List<MigrationWindow> open = windows.openWindows(target);
    List<MigrationWindow> awaiting = open.stream().filter(w -> handled.contains(AWAITING_STALL + w.id())).toList();
    Stall stall = awaiting.isEmpty() ? Stall.NONE : Stall.guessed(open, locks);
    if (stall.requests().isEmpty()) {
      return Future.succeededFuture();
    }
    handled.removeIf(k -> k.startsWith(AWAITING_STALL));
    return signal(new Action(v.rule().yaml(), v.value(), v.threshold(), awaiting.get(0)), stall, locks, client, now,
        new ArrayList<>());
  }

  /** Sends the stall's signals after {@code cancels}, each outcome recorded against {@code a}. */
  private Future<Void> signal(Action a, Stall stall, LockReport locks, SqlClient client, Instant now,
      List<Future<Void>> cancels) {
    return stallSignals.send(stall, locks, client, cancels, (action, pid, backendStart, result, message, request) -> {
      MigrationWindow w = a.window();
      log.record(new AbortDecision(now, target, a.rule(), a.value(), a.threshold(), w == null ? null : w.id(),
          action, pid != null ? pid : w == null ? null : w.backendPid(),
          pid != null ? backendStart : w == null ? null : w.backendStart(), result, message, request));
    });
  }

  /** Outside windows (an abort level in {@code rules.always}): nothing to cancel, the hooks run. */
  private Future<Void> actOutsideWindows(String key, RuleVerdict v, Vertx vertx, Instant now) {
    if (!handled.add(ALWAYS + key)) {
      return Future.succeededFuture();
    }
    Action a = new Action(v.rule().yaml(), v.value(), v.threshold(), null);
    if (hooks.isEmpty()) {
      decide(a, now, "hook", "skipped", "abort level reached outside a window; no kill-switch hooks configured");
      return Future.succeededFuture();
    }
    if (mode == KillSwitchConfig.Mode.DRY_RUN) {
      hooks.names().forEach(name -> decide(a, now, "hook", "dry-run", "dry-run: would run " + name));
      return Future.succeededFuture();
    }
    return runHooks(a, List.of(), vertx, now);
  }

  /** Runs the hooks, telling them {@code pids}: the backends the abort acts on. */
  private Future<Void> runHooks(Action a, List<Integer> pids, Vertx vertx, Instant now) {
    MigrationWindow w = a.window();
    HookEvent event = KillSwitchHooks.event(target, a.rule(), a.value(), a.threshold(), w == null ? null : w.id(),
        pids, now);
    List<String> names = hooks.names();
    return hooks.run(vertx, event).map(results -> {
      for (int i = 0; i < results.size(); i++) {
        decide(a, now, "hook", results.get(i).ok() ? "ok" : "failed", names.get(i) + ": " + results.get(i).message());
      }
      return (Void) null;
    }).otherwise(e -> decide(a, now, "hook", "failed", e.getMessage()));
  }

  private Void decide(Action a, Instant now, String action, SignalResult result, int pid,
      java.time.OffsetDateTime backendStart) {
    MigrationWindow w = a.window();
    log.record(new AbortDecision(now, target, a.rule(), a.value(), a.threshold(), w == null ? null : w.id(),
        action, pid, backendStart,
        result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'), result.message()));
    return null;
  }

  private Void decide(Action a, Instant now, String action, String result, String message) {
    MigrationWindow w = a.window();
    log.record(new AbortDecision(now, target, a.rule(), a.value(), a.threshold(), w == null ? null : w.id(),
        action, w == null ? null : w.backendPid(), w == null ? null : w.backendStart(), result, message));
    return null;
  }

  private static List<Integer> recorded(MigrationWindow w) {
    return w.backendPid() == null ? List.of() : List.of(w.backendPid());
  }
}
