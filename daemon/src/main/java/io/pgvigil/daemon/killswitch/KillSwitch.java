package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.killswitch.KillSwitchActions.Cause;
import io.pgvigil.daemon.killswitch.SecondChance.Breach;
import io.pgvigil.daemon.rules.AbortListener;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One target's kill switch, on its event loop. It acts on ABORT verdicts once the next fresh poll of
 * their source confirms them (a one-poll spike never aborts a deploy), in a migration window or
 * outside one where {@code rules.always} sets an abort level; once per window (or per breach outside
 * windows), on the migration only: the window's recorded backend, or else the waiting DDL requests
 * with a queue behind them ({@link Stall}). The {@link DeadManSwitch} covers a target not polled.
 */
public final class KillSwitch implements AbortListener {

  private static final Logger LOG = LoggerFactory.getLogger(KillSwitch.class);

  private final String target;
  private final WindowRegistry windows;
  private final Clock clock;
  private final KillSwitchActions actions;
  private final Optional<DeadManSwitch> deadMan;

  private final SecondChance secondChance;
  /** In-window windows already acted on: one abort each, not one per poll. */
  private final Set<String> actedOn = new HashSet<>();
  /**
   * Windows acted on whose signals all failed before reaching the server (the connection broke or
   * the signal timed out): the next confirmed abort sends them again, without running the hooks again.
   */
  private final Set<String> unsent = new HashSet<>();
  /** Windows naming no backend whose abort found no stall yet: the first stall seen later is cancelled. */
  private final Set<String> awaitingStall = new HashSet<>();
  /** Breaches outside windows already acted on: once until they leave the ABORT level. */
  private final Set<Breach> actedOutside = new HashSet<>();

  public KillSwitch(String target, KillSwitchConfig config, WindowRegistry windows, AbortLog log, Clock clock) {
    this.target = target;
    this.windows = windows;
    this.clock = clock;
    this.secondChance = new SecondChance(target);
    this.actions = new KillSwitchActions(target, config, log);
    this.deadMan = config.deadManAfter().map(after -> new DeadManSwitch(target, after, windows, actions, clock));
  }

  @Override
  public Future<Void> evaluated(Source source, List<RuleVerdict> verdicts, LockReport locks, Vertx vertx,
      SqlClient client) {
    Instant now = clock.instant();
    // Only a lock poll's own report shows a stall, never an older one handed along with another
    // source's verdicts: the terminate guard accepts a blocker as seen blocking at this poll.
    LockReport polled = source == Source.LOCKS ? locks : null;
    if (polled != null) {
      deadMan.ifPresent(d -> d.lockPolled(now));
    }
    List<Future<Void>> done = new ArrayList<>();
    for (RuleVerdict v : secondChance.confirmed(source, verdicts)) {
      done.add(v.inWindow() ? actInWindows(v, polled, vertx, client, now)
          : actOutsideWindows(Breach.of(source, v), v, vertx, now));
    }
    // A breach no longer at ABORT may act again outside windows when it returns.
    actedOutside.retainAll(secondChance.armed());
    Set<String> open = windows.openWindows(target).stream().map(MigrationWindow::id).collect(Collectors.toSet());
    actedOn.retainAll(open);
    unsent.retainAll(open);
    awaitingStall.retainAll(open);
    return Future.join(done).mapEmpty();
  }

  /** Called periodically, also while the target is down. */
  /** Another instance polls the target's locks: the dead-man switch here has nothing to miss. */
  public void watchedElsewhere() {
    deadMan.ifPresent(d -> d.lockPolled(clock.instant()));
  }

  public Future<Void> deadManTick(Vertx vertx) {
    return deadMan.map(d -> d.tick(vertx)).orElse(Future.succeededFuture());
  }

  /**
   * Once per abort, for every in-window window not acted on yet: cancel the migration, terminate
   * the stall's blockers (opt-in), and run the hooks once. A CI pipeline's API window and the
   * automatic window of the same migration are one deploy, not two.
   */
  private Future<Void> actInWindows(RuleVerdict v, LockReport locks, Vertx vertx, SqlClient client, Instant now) {
    List<MigrationWindow> open = windows.openWindows(target);
    List<MigrationWindow> fresh = open.stream().filter(w -> WindowRegistry.IN_WINDOW.equals(w.profile())
        && (!actedOn.contains(w.id()) || unsent.contains(w.id()))).toList();
    if (fresh.isEmpty()) {
      return actOnLaterStall(v, locks, client, now);
    }
    // The hooks run once per window: not again when only the signals are sent again.
    boolean firstTime = fresh.stream().anyMatch(w -> !actedOn.contains(w.id()));
    fresh.forEach(w -> {
      actedOn.add(w.id());
      unsent.remove(w.id());
    });
    List<Future<Boolean>> cancels = new ArrayList<>();
    Set<Integer> migrationPids = new LinkedHashSet<>();
    for (MigrationWindow w : fresh) {
      if (w.backendPid() != null && migrationPids.add(w.backendPid())) {
        cancels.add(actions.cancelRecorded(cause(v, w, now), client));
      }
    }
    // The window the hooks and the other decisions name: one that records the migration.
    MigrationWindow named = fresh.stream().filter(w -> w.backendPid() != null).findFirst().orElse(fresh.get(0));
    Cause c = cause(v, named, now);
    Stall stall = !migrationPids.isEmpty() ? Stall.ofMigration(locks, migrationPids) : Stall.guessed(open, locks);
    if (!stall.requests().isEmpty()) {
      awaitingStall.clear(); // cancelled for this deploy: no window awaits one
    } else if (migrationPids.isEmpty()) {
      // Aborted before any DDL request had a queue (a lockWait on a quiet table, say): the hooks run
      // now, and the first stall a later abort in this window sees is still cancelled.
      fresh.forEach(w -> awaitingStall.add(w.id()));
    }
    Future<Boolean> signalled = actions.signal(c, stall, locks, client, cancels)
        .onSuccess(reached -> {
          if (!reached) {
            LOG.warn("target {}: no kill-switch signal reached the server; sending them again at the next poll",
                target);
            fresh.forEach(w -> unsent.add(w.id()));
          }
        });
    // The hooks are told the backends this abort cancels: the recorded migrations, or the stall's requests.
    Future<Void> hooked = !firstTime ? Future.succeededFuture()
        : actions.runHooks(c, migrationPids.isEmpty() ? stall.requestPids() : List.copyOf(migrationPids), vertx,
            null);
    return Future.join(signalled, hooked).mapEmpty();
  }

  /**
   * An abort in windows already acted on, that name no backend and found no stall then: a stall on
   * this fresh lock poll is cancelled (and its blockers terminated, opt-in) once; no hook runs again.
   */
  private Future<Void> actOnLaterStall(RuleVerdict v, LockReport locks, SqlClient client, Instant now) {
    List<MigrationWindow> open = windows.openWindows(target);
    List<MigrationWindow> awaiting = open.stream().filter(w -> awaitingStall.contains(w.id())).toList();
    Stall stall = awaiting.isEmpty() ? Stall.NONE : Stall.guessed(open, locks);
    if (stall.requests().isEmpty()) {
      return Future.succeededFuture();
    }
    awaitingStall.clear();
    return actions.signal(cause(v, awaiting.get(0), now), stall, locks, client, new ArrayList<>()).mapEmpty();
  }

  /** Outside windows (an abort level in {@code rules.always}): nothing to cancel, the hooks run. */
  private Future<Void> actOutsideWindows(Breach breach, RuleVerdict v, Vertx vertx, Instant now) {
    if (!actedOutside.add(breach)) {
      return Future.succeededFuture();
    }
    return actions.runHooks(cause(v, null, now), List.of(), vertx,
        "abort level reached outside a window; no kill-switch hooks configured");
  }

  private static Cause cause(RuleVerdict v, MigrationWindow w, Instant now) {
    return new Cause(v.rule().yaml(), v.value(), v.threshold(), w, now);
  }
}
