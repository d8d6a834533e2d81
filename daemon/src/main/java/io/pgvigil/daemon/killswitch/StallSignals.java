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

  /** Told every outcome, for the audit. */
  @FunctionalInterface
  interface Audit {
    void record(String action, Integer pid, OffsetDateTime backendStart, String result, String message);
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
      if (killSwitch.mode() == KillSwitchConfig.Mode.DRY_RUN) {
        audit.record("cancel", q.pid(), q.backendStart(), "dry-run", "dry-run: would cancel the waiting "
            + q.mode() + " request on " + q.relation() + " (" + q.depth() + " queued behind it)");
      } else {
        cancels.add(signals.cancelWaitingRequest(client, q.pid(), q.backendStart(), q.relation(), q.mode())
            .map(result -> told(audit, "cancel", result, q.backendStart()))
            .otherwise(e -> failed(audit, "cancel", e)));
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
      done.add(signals.terminateIdleBlocker(client, root.pid(), root.backendStart(),
              terminate.idleInTransactionAfter(), terminate.roles(), locks.serverTime())
          .map(result -> told(audit, "terminate", result, root.backendStart()))
          .otherwise(e -> failed(audit, "terminate", e)));
    }
    return Future.join(done).mapEmpty();
  }

  private static Void told(Audit audit, String action, SignalResult result, OffsetDateTime backendStart) {
    audit.record(action, result.pid(), backendStart,
        result.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-'), result.message());
    return null;
  }

  private static Void failed(Audit audit, String action, Throwable e) {
    audit.record(action, null, null, "failed", e.getMessage());
    return null;
  }
}
