package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.LockQueue;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.RootBlocker;
import io.pgvigil.checks.migration.BackendSignals;
import io.pgvigil.checks.migration.SignalResult;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sends what a {@link Stall} calls for, each signal guarded in its own statement
 * ({@link BackendSignals}): a cancel of each waiting DDL request, then, in
 * {@code cancel-and-terminate-blockers}, a terminate of each idle root blocker, guarded as seen
 * at the lock poll the stall comes from. In dry-run, only what would be cancelled is told.
 */
final class StallSignals {

  /** Told every outcome, for the audit, with the stalled request it is about (null if none). */
  @FunctionalInterface
  interface Audit {
    void record(String action, Integer pid, OffsetDateTime backendStart, String result, String message,
        StalledRequest request);
  }

  private final BackendSignals signals;
  private final KillSwitchConfig killSwitch;

  StallSignals(BackendSignals signals, KillSwitchConfig killSwitch) {
    this.signals = signals;
    this.killSwitch = killSwitch;
  }

  /** Sends the stall's signals, the cancels after {@code before} (other cancels already under way). */
  Future<Void> send(Stall stall, LockReport locks, SqlClient client, List<Future<Void>> before, Audit audit) {
    List<Future<Void>> cancels = new ArrayList<>(before);
    for (LockQueue q : stall.requests()) {
      StalledRequest request = StalledRequest.of(q);
      if (killSwitch.mode() == KillSwitchConfig.Mode.DRY_RUN) {
        audit.record("cancel", q.pid(), q.backendStart(), "dry-run", "dry-run: would cancel "
            + request.describe(), request);
      } else {
        cancels.add(signals.cancelWaitingRequest(client, q.pid(), q.backendStart(), q.relation(), q.mode())
            .map(result -> told(audit, "cancel", result, q.backendStart(), "; it was " + request.describe(), request))
            .otherwise(e -> failed(audit, "cancel", e, q.pid(), q.backendStart(), request)));
      }
    }
    Future<Void> signalled = Future.join(cancels).mapEmpty();
    if (killSwitch.mode() != KillSwitchConfig.Mode.CANCEL_AND_TERMINATE_BLOCKERS || stall.idleRoots().isEmpty()) {
      return signalled;
    }
    return signalled.compose(x -> terminate(stall, locks, client, audit));
  }

  /**
   * Each idle root is terminated only if the guarded statement still finds it idle in transaction
   * long enough, of an allowed role, the same backend, and idle in that same state since the poll.
   */
  private Future<Void> terminate(Stall stall, LockReport locks, SqlClient client, Audit audit) {
    KillSwitchConfig.Terminate terminate = killSwitch.terminate();
    List<Future<Void>> done = new ArrayList<>();
    for (RootBlocker root : stall.idleRoots()) {
      StalledRequest request = stall.heldUpBy(root, locks).map(StalledRequest::of).orElse(null);
      // Who was terminated and why, in the user's words: the role, and the request it held up.
      String about = "; role " + root.user() + ", " + root.state() + " for " + Math.round(root.stateSeconds())
          + "s, the root blocker of " + (request == null ? "the migration" : request.describe());
      done.add(signals.terminateIdleBlocker(client, root.pid(), root.backendStart(),
              terminate.idleInTransactionAfter(), terminate.roles(), locks.serverTime())
          .map(result -> told(audit, "terminate", result, root.backendStart(), about, request))
          .otherwise(e -> failed(audit, "terminate", e, root.pid(), root.backendStart(), request)));
    }
    return Future.join(done).mapEmpty();
  }

  private static Void told(Audit audit, String action, SignalResult result, OffsetDateTime backendStart,
      String about, StalledRequest request) {
    audit.record(action, result.pid(), backendStart,
        result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'), result.message() + about, request);
    return null;
  }

  private static Void failed(Audit audit, String action, Throwable e, int pid, OffsetDateTime backendStart,
      StalledRequest request) {
    audit.record(action, pid, backendStart, "failed", e.getMessage(), request);
    return null;
  }
}
