package io.pgvigil.daemon.locks;

import io.pgvigil.checks.locks.LockAnalysis;
import io.pgvigil.checks.locks.LockProbe;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.config.Threshold;
import io.pgvigil.daemon.rules.TargetRules;
import io.pgvigil.daemon.watch.TargetCheck;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock watch, every {@code watch.interval}: one query (two when a wait starts, see
 * {@link LockProbe}), then the blocking trees, lock queues, running DDL and long writes computed in
 * memory (cheap enough for the event loop: the sessions involved, and the idle transactions, which
 * the probe remembers).
 */
public final class LockWatchCheck extends TargetCheck {

  private static final Logger LOG = LoggerFactory.getLogger(LockWatchCheck.class);
  public static final String NAME = "locks";

  private final LockProbe probe;
  private final LockAnalysis analysis;
  private final LockState state;
  private final TargetRules rules;

  /**
   * @param interval     faster inside a migration window
   * @param statementAge running statements younger than this are not read (see {@link #statementAge})
   */
  public LockWatchCheck(LockAnalysis analysis, Supplier<Duration> interval, Duration timeout,
      LockState state, TargetRules rules, Duration statementAge) {
    super(NAME, interval, timeout);
    this.probe = new LockProbe(statementAge, LockProbe.DEFAULT_REFRESH);
    this.rules = rules;
    this.analysis = analysis;
    this.state = state;
  }

  /**
   * The lowest threshold a running statement is measured against: the long-write threshold of the analysis
   * and every level of the DDL-runtime and long-write rules, in and out of windows. A younger statement can
   * breach nothing, so the probe leaves it in the server (one probe per target keeps its state).
   */
  public static Duration statementAge(Rules rules, Duration writeThreshold) {
    Duration lowest = writeThreshold;
    for (RuleKind kind : List.of(RuleKind.DDL_RUNTIME, RuleKind.LONG_WRITE)) {
      for (boolean window : List.of(true, false)) {
        Threshold threshold = rules.threshold(kind, window);
        for (Optional<Double> level : List.of(threshold.warn(), threshold.abort())) {
          if (level.isPresent()) {
            Duration seconds = Duration.ofNanos((long) (Math.max(0, level.get()) * 1e9));
            lowest = seconds.compareTo(lowest) < 0 ? seconds : lowest;
          }
        }
      }
    }
    return lowest;
  }

  @Override
  public Future<Void> run(Context context) {
    return probe.poll(context.pool()).map(analysis::analyze)
        .onSuccess(state::update)
        // The rules are evaluated now; what the kill switch then does (a cancel, hooks that may
        // take seconds) runs on without holding up the next poll.
        .onSuccess(report -> rules.onLocks(report, context.vertx(), context.signals())
            .onFailure(e -> LOG.warn("target {}: kill-switch action failed: {}", rules.target(), e.toString())))
        .mapEmpty();
  }
}
