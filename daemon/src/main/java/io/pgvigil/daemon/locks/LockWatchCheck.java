package io.pgvigil.daemon.locks;

import io.pgvigil.checks.locks.LockAnalysis;
import io.pgvigil.checks.locks.LockProbe;
import io.pgvigil.daemon.rules.TargetRules;
import io.pgvigil.daemon.watch.TargetCheck;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock watch, every {@code watch.interval}: one query, then the blocking trees, lock queues,
 * running DDL and long writes computed in memory (cheap enough for the event loop: a few dozen
 * sessions at most).
 */
public final class LockWatchCheck extends TargetCheck {

  private static final Logger LOG = LoggerFactory.getLogger(LockWatchCheck.class);
  public static final String NAME = "locks";

  private final LockProbe probe = new LockProbe();
  private final LockAnalysis analysis;
  private final LockState state;
  private final TargetRules rules;

  /** @param interval faster inside a migration window */
  public LockWatchCheck(LockAnalysis analysis, Supplier<Duration> interval, Duration timeout,
      LockState state, TargetRules rules) {
    super(NAME, interval, timeout);
    this.rules = rules;
    this.analysis = analysis;
    this.state = state;
  }

  @Override
  public Future<Void> run(Context context) {
    return probe.poll(context.pool()).map(analysis::analyze)
        .onSuccess(state::update)
        // The rules are evaluated now; what the kill switch then does (a cancel, hooks that may
        // take seconds) runs on without holding up the next poll.
        .onSuccess(report -> rules.onLocks(report, context.vertx(), context.pool())
            .onFailure(e -> LOG.warn("target {}: kill-switch action failed: {}", rules.target(), e.toString())))
        .mapEmpty();
  }
}
