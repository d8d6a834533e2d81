package io.pgvigil.daemon.locks;

import static io.pgvigil.daemon.metrics.MeterNames.DDL_MAX_DURATION;
import static io.pgvigil.daemon.metrics.MeterNames.IDLE_IN_TRANSACTION_MAX;
import static io.pgvigil.daemon.metrics.MeterNames.INVALID_INDEXES;
import static io.pgvigil.daemon.metrics.MeterNames.LOCK_QUEUE_COST_MAX;
import static io.pgvigil.daemon.metrics.MeterNames.LOCK_QUEUE_DEPTH_MAX;
import static io.pgvigil.daemon.metrics.MeterNames.LOCK_WAITING_SESSIONS;
import static io.pgvigil.daemon.metrics.MeterNames.LOCK_WAIT_MAX;
import static io.pgvigil.daemon.metrics.MeterNames.LONG_RUNNING_WRITES;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.locks.InvalidIndex;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.LockSummary;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The last lock report and invalid-index list of one target, shared by the checks (writers), the API and the gauges
 * (readers). Before the first poll the gauges read NaN (unknown), never 0 (all clear).
 */
public final class LockState {

  private volatile LockReport last;
  private volatile List<InvalidIndex> invalidIndexes;

  public LockState(String target, MeterRegistry registry) {
    gauge(registry, target, LOCK_WAITING_SESSIONS, "Sessions waiting on a lock", null, LockSummary::waitingSessions);
    gauge(registry, target, LOCK_WAIT_MAX, "Longest current lock wait", "seconds", LockSummary::maxLockWaitSeconds);
    gauge(registry, target, LOCK_QUEUE_DEPTH_MAX, "Most sessions queued behind one waiting DDL lock request", null,
        LockSummary::maxQueueDepth);
    gauge(registry, target, LOCK_QUEUE_COST_MAX,
        "Most blocked-backend-seconds one waiting DDL lock request has cost so far", "seconds",
        LockSummary::maxQueueCostSeconds);
    gauge(registry, target, IDLE_IN_TRANSACTION_MAX, "Oldest idle-in-transaction session", "seconds",
        LockSummary::idleInTransactionMaxSeconds);
    gauge(registry, target, DDL_MAX_DURATION, "Longest running DDL statement", "seconds", LockSummary::ddlMaxSeconds);
    gauge(registry, target, LONG_RUNNING_WRITES,
        "UPDATE/DELETE/INSERT … SELECT statements running longer than the threshold", null,
        LockSummary::longRunningWrites);
    Gauge.builder(INVALID_INDEXES, this, s -> s.invalidIndexes == null ? Double.NaN : s.invalidIndexes.size())
        .description("INVALID indexes (a failed CREATE INDEX CONCURRENTLY leaves one), builds in progress excluded")
        .tags(TAG_TARGET, target).register(registry);
  }

  private void gauge(MeterRegistry registry, String target, String name, String description, String unit,
      ToDoubleFunction<LockSummary> value) {
    Gauge.builder(name, this, s -> s.last == null ? Double.NaN : value.applyAsDouble(s.last.summary()))
        .description(description).baseUnit(unit).tags(TAG_TARGET, target).register(registry);
  }

  void update(LockReport report) {
    last = report;
  }

  void updateInvalidIndexes(List<InvalidIndex> indexes) {
    invalidIndexes = List.copyOf(indexes);
  }

  public Optional<LockReport> last() {
    return Optional.ofNullable(last);
  }

  public Optional<List<InvalidIndex>> invalidIndexes() {
    return Optional.ofNullable(invalidIndexes);
  }
}
