package io.pgvigil.daemon.killswitch;

import io.pgvigil.alerts.HookResult;
import io.pgvigil.checks.locks.LockQueue;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.RootBlocker;
import io.pgvigil.checks.migration.BackendSignals;
import io.pgvigil.checks.migration.SignalResult;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the kill switch does, each outcome recorded in the {@link AbortLog}. In {@code dry-run} (the
 * default) nothing but the decisions; in {@code cancel}, {@code pg_cancel_backend} of the migration;
 * in {@code cancel-and-terminate-blockers} also {@code pg_terminate_backend} of its stall's
 * idle-in-transaction root blockers of allowlisted roles, idle long enough; then the hooks. Every
 * signal is guarded by pid + backend_start + state in its own statement ({@link BackendSignals}).
 */
final class KillSwitchActions {

  /** What an action is about: the rule, its value and threshold, the window (null outside one). */
  record Cause(String rule, double value, double threshold, MigrationWindow window, Instant at) {}

  private final String target;
  private final KillSwitchConfig config;
  private final KillSwitchHooks hooks;
  private final AbortLog log;
  private final boolean dryRun;
  private final BackendSignals signals = new BackendSignals();

  KillSwitchActions(String target, KillSwitchConfig config, AbortLog log) {
    this.target = target;
    this.config = config;
    this.hooks = new KillSwitchHooks(config.hooks());
    this.log = log;
    this.dryRun = config.mode() == KillSwitchConfig.Mode.DRY_RUN;
  }

  /** Cancels the statement of the window's recorded backend. */
  Future<Void> cancelRecorded(Cause c, SqlClient client) {
    MigrationWindow w = c.window();
    if (dryRun) {
      record(c, "cancel", "dry-run", "dry-run: would cancel the migration's statement");
      return Future.succeededFuture();
    }
    return signals.cancel(client, w.backendPid(), w.backendStart())
        .map(result -> told(c, "cancel", result, w.backendStart(), "", null))
        .otherwise(e -> record(c, "cancel", "failed", e.getMessage()));
  }

  /**
   * Sends what {@code stall} calls for, after {@code before} (other cancels already under way): a
   * cancel of each waiting DDL request, then, in {@code cancel-and-terminate-blockers}, a terminate
   * of each idle root blocker, guarded as seen at the lock poll the stall comes from.
   */
  Future<Void> signal(Cause c, Stall stall, LockReport locks, SqlClient client, List<Future<Void>> before) {
    List<Future<Void>> cancels = new ArrayList<>(before);
    for (LockQueue q : stall.requests()) {
      StalledRequest request = StalledRequest.of(q);
      if (dryRun) {
        record(c, "cancel", q.pid(), q.backendStart(), "dry-run", "dry-run: would cancel " + request.describe(),
            request);
      } else {
        cancels.add(signals.cancelWaitingRequest(client, q.pid(), q.backendStart(), q.relation(), q.mode())
            .map(result -> told(c, "cancel", result, q.backendStart(), "; it was " + request.describe(), request))
            .otherwise(e -> record(c, "cancel", q.pid(), q.backendStart(), "failed", e.getMessage(), request)));
      }
    }
    Future<Void> signalled = Future.join(cancels).mapEmpty();
    if (config.mode() != KillSwitchConfig.Mode.CANCEL_AND_TERMINATE_BLOCKERS || stall.idleRoots().isEmpty()) {
      return signalled;
    }
    return signalled.compose(x -> terminate(c, stall, locks, client));
  }

  /**
   * Each idle root is terminated only if the guarded statement still finds it idle in transaction
   * long enough, of an allowed role, the same backend, and idle in that same state since the poll.
   */
  private Future<Void> terminate(Cause c, Stall stall, LockReport locks, SqlClient client) {
    KillSwitchConfig.Terminate terminate = config.terminate();
    List<Future<Void>> done = new ArrayList<>();
    for (RootBlocker root : stall.idleRoots()) {
      StalledRequest request = stall.heldUpBy(root, locks).map(StalledRequest::of).orElse(null);
      // Who was terminated and why, in the user's words: the role, and the request it held up.
      String about = "; role " + root.user() + ", " + root.state() + " for " + Math.round(root.stateSeconds())
          + "s, the root blocker of " + (request == null ? "the migration" : request.describe());
      done.add(signals.terminateIdleBlocker(client, root.pid(), root.backendStart(),
              terminate.idleInTransactionAfter(), terminate.roles(), locks.serverTime())
          .map(result -> told(c, "terminate", result, root.backendStart(), about, request))
          .otherwise(e -> record(c, "terminate", root.pid(), root.backendStart(), "failed", e.getMessage(), request)));
    }
    return Future.join(done).mapEmpty();
  }

  /** Runs the hooks, telling them {@code pids}; without hooks, records {@code ifNone} unless it is null. */
  Future<Void> runHooks(Cause c, List<Integer> pids, Vertx vertx, String ifNone) {
    if (hooks.isEmpty()) {
      if (ifNone != null) {
        record(c, "hook", "skipped", ifNone);
      }
      return Future.succeededFuture();
    }
    List<String> names = hooks.names();
    if (dryRun) {
      names.forEach(name -> record(c, "hook", "dry-run", "dry-run: would run " + name));
      return Future.succeededFuture();
    }
    return hooks.run(vertx, KillSwitchHooks.event(target, c, pids)).map(results -> {
      for (int i = 0; i < results.size(); i++) {
        HookResult r = results.get(i);
        record(c, "hook", r.ok() ? "ok" : "failed", names.get(i) + ": " + r.message());
      }
      return (Void) null;
    }).otherwise(e -> record(c, "hook", "failed", e.getMessage()));
  }

  private Void told(Cause c, String action, SignalResult result, OffsetDateTime backendStart, String about,
      StalledRequest request) {
    return record(c, action, result.pid(), backendStart, outcome(result), result.message() + about, request);
  }

  private static String outcome(SignalResult result) {
    return result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** About the window's recorded backend, if any. */
  private Void record(Cause c, String action, String result, String message) {
    MigrationWindow w = c.window();
    return record(c, action, w == null ? null : w.backendPid(), w == null ? null : w.backendStart(), result,
        message, null);
  }

  private Void record(Cause c, String action, Integer pid, OffsetDateTime backendStart, String result,
      String message, StalledRequest request) {
    MigrationWindow w = c.window();
    log.record(new AbortDecision(c.at(), target, c.rule(), c.value(), c.threshold(), w == null ? null : w.id(),
        action, pid, backendStart, result, message, request));
    return null;
  }
}
