package io.pgvigil.daemon.killswitch;

import io.pgvigil.alerts.ExecHook;
import io.pgvigil.alerts.Hook;
import io.pgvigil.alerts.HookEvent;
import io.pgvigil.alerts.HookResult;
import io.pgvigil.alerts.Severity;
import io.pgvigil.alerts.WebhookHook;
import io.pgvigil.checks.locks.LockQueue;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.RootBlocker;
import io.pgvigil.checks.migration.BackendSignals;
import io.pgvigil.checks.migration.SignalResult;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.config.Unit;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the kill switch does, each outcome recorded in the {@link AbortLog}: in {@code dry-run} (the
 * default) only decisions; in {@code cancel} the migration is cancelled; in
 * {@code cancel-and-terminate-blockers} also its stall's idle-in-transaction root blockers of
 * allowlisted roles are terminated; then the hooks. Every signal is guarded by pid + backend_start
 * + state in its own statement ({@link BackendSignals}). A hook never fails the abort.
 */
final class KillSwitchActions {

  /** What an action is about: the rule, its value and threshold, the window (null outside one). */
  record Cause(String rule, double value, double threshold, MigrationWindow window, Instant at) {}

  private static final Duration HOOK_TIMEOUT = Duration.ofSeconds(10);

  private final String target;
  private final KillSwitchConfig config;
  /** What to call each hook in the audit log: the program's name, never the webhook's URL (it may hold a token). */
  private final List<String> hookNames;
  private final AbortLog log;
  private final boolean dryRun;
  private final BackendSignals signals = new BackendSignals();
  private List<Hook> hooks;

  KillSwitchActions(String target, KillSwitchConfig config, AbortLog log) {
    this.target = target;
    this.config = config;
    this.hookNames = config.hooks().stream()
        .map(h -> h instanceof KillSwitchConfig.ExecHook exec ? "exec " + exec.command().get(0) : "webhook")
        .toList();
    this.log = log;
    this.dryRun = config.mode() == KillSwitchConfig.Mode.DRY_RUN;
  }

  /** Completes with whether the cancel reached the server (see {@link #reached}); a dry run counts as reached. */
  Future<Boolean> cancelRecorded(Cause c, SqlClient client) {
    MigrationWindow w = c.window();
    if (dryRun) {
      record(c, "cancel", "dry-run", "dry-run: would cancel the migration's statement");
      return Future.succeededFuture(true);
    }
    return signals.cancel(client, w.backendPid(), w.backendStart())
        .map(result -> told(c, "cancel", result, w.backendStart(), "", null))
        .map(true)
        .otherwise(e -> {
          record(c, "cancel", "failed", e.getMessage());
          return reached(e);
        });
  }

  /**
   * Sends what {@code stall} calls for, after {@code before} (other cancels already under way): a
   * cancel of each waiting DDL request, then, in {@code cancel-and-terminate-blockers}, a terminate
   * of each idle root blocker, guarded as seen at the lock poll the stall comes from. Completes with
   * false only when signals were sent and none of them reached the server (see {@link #reached}).
   */
  Future<Boolean> signal(Cause c, Stall stall, LockReport locks, SqlClient client, List<Future<Boolean>> before) {
    List<Future<Boolean>> cancels = new ArrayList<>(before);
    for (LockQueue q : stall.requests()) {
      StalledRequest request = StalledRequest.of(q);
      if (dryRun) {
        record(c, "cancel", q.pid(), q.backendStart(), "dry-run", "dry-run: would cancel " + request.describe(),
            request);
      } else {
        cancels.add(signals.cancelWaitingRequest(client, q.pid(), q.backendStart(), q.relation(), q.mode())
            .map(result -> told(c, "cancel", result, q.backendStart(), "; it was " + request.describe(), request))
            .map(true)
            .otherwise(e -> {
              record(c, "cancel", q.pid(), q.backendStart(), "failed", e.getMessage(), request);
              return reached(e);
            }));
      }
    }
    Future<Boolean> signalled = anyReached(cancels);
    if (config.mode() != KillSwitchConfig.Mode.CANCEL_AND_TERMINATE_BLOCKERS || stall.idleRoots().isEmpty()) {
      return signalled;
    }
    return signalled.compose(cancelled -> terminate(c, stall, locks, client)
        .map(terminated -> cancels.isEmpty() ? terminated : cancelled || terminated));
  }

  /** Whether any of {@code sent} reached the server, or nothing was sent; each never fails. */
  private static Future<Boolean> anyReached(List<Future<Boolean>> sent) {
    return Future.join(sent).map(x -> sent.isEmpty() || sent.stream().anyMatch(Future::result));
  }

  /**
   * Whether a signal that failed with {@code e} reached the server: PostgreSQL refused it (an error
   * with a SQLSTATE), as opposed to the connection failing or the signal timing out before it was
   * answered (then the decision may be taken again at the next poll, see KillSwitch).
   */
  private static boolean reached(Throwable e) {
    return e instanceof PgException;
  }

  /**
   * Each idle root is terminated only if the guarded statement still finds it idle in transaction
   * long enough, of an allowed role, the same backend, and idle in that same state since the poll.
   */
  private Future<Boolean> terminate(Cause c, Stall stall, LockReport locks, SqlClient client) {
    KillSwitchConfig.Terminate terminate = config.terminate();
    List<Future<Boolean>> done = new ArrayList<>();
    for (RootBlocker root : stall.idleRoots()) {
      StalledRequest request = stall.heldUpBy(root, locks).map(StalledRequest::of).orElse(null);
      // Who was terminated and why, in the user's words: the role, and the request it held up.
      String about = "; role " + root.user() + ", " + root.state() + " for " + Math.round(root.stateSeconds())
          + "s, the root blocker of " + (request == null ? "the migration" : request.describe());
      done.add(signals.terminateIdleBlocker(client, root.pid(), root.backendStart(),
          terminate.idleInTransactionAfter(), terminate.roles(), locks.serverTime())
          .map(result -> told(c, "terminate", result, root.backendStart(), about, request))
          .map(true)
          .otherwise(e -> {
            record(c, "terminate", root.pid(), root.backendStart(), "failed", e.getMessage(), request);
            return reached(e);
          }));
    }
    return anyReached(done);
  }

  /** Runs the hooks, telling them {@code pids}; without hooks, records {@code ifNone} unless it is null. */
  Future<Void> runHooks(Cause c, List<Integer> pids, Vertx vertx, String ifNone) {
    if (hookNames.isEmpty() && ifNone != null) {
      record(c, "hook", "skipped", ifNone);
    }
    if (hookNames.isEmpty() || dryRun) {
      hookNames.forEach(name -> record(c, "hook", "dry-run", "dry-run: would run " + name));
      return Future.succeededFuture();
    }
    HookEvent event = event(c, pids);
    return Future.all(hooks(vertx).stream().map(h -> h.run(event)).toList()).map(all -> {
      for (int i = 0; i < all.size(); i++) {
        HookResult r = all.resultAt(i);
        record(c, "hook", r.ok() ? "ok" : "failed", hookNames.get(i) + ": " + r.message());
      }
      return (Void) null;
    }).otherwise(e -> record(c, "hook", "failed", e.getMessage()));
  }

  private synchronized List<Hook> hooks(Vertx vertx) {
    if (hooks == null) {
      hooks = new ArrayList<>();
      WebClient client = null;
      for (KillSwitchConfig.Hook h : config.hooks()) {
        if (h instanceof KillSwitchConfig.ExecHook exec) {
          hooks.add(new ExecHook(vertx, exec.command(), HOOK_TIMEOUT));
        } else if (h instanceof KillSwitchConfig.WebhookHook webhook) {
          if (client == null) {
            client = WebClient.create(vertx);
          }
          hooks.add(new WebhookHook(client, webhook.url(), HOOK_TIMEOUT));
        }
      }
    }
    return hooks;
  }

  /** @param pids the backends the abort acts on (recorded migrations or cancelled requests), maybe none */
  private HookEvent event(Cause c, List<Integer> pids) {
    String value = Unit.number(c.value(), 3);
    String threshold = Unit.number(c.threshold(), 3);
    String summary = DeadManSwitch.RULE.equals(c.rule())
        ? "pgvigil lost sight of " + target + " for " + value + "s during a migration window"
        : "pgvigil aborted the migration on " + target + ": " + c.rule() + " " + value + " >= " + threshold;
    return new HookEvent(target, c.rule(), "abort", Severity.CRITICAL, value, threshold,
        c.window() == null ? null : c.window().id(), pids, summary, c.at());
  }

  private Void told(Cause c, String action, SignalResult result, OffsetDateTime backendStart, String about,
      StalledRequest request) {
    String outcome = result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-');
    return record(c, action, result.pid(), backendStart, outcome, result.message() + about, request);
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
