package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.metrics.MeterNames.MIGRATIONS_PENDING;
import static io.pgvigil.daemon.metrics.MeterNames.MIGRATION_HISTORY_PROBLEMS;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_PROBLEM;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import java.util.Optional;

/**
 * The last drift verdict of one target, shared by its check (writer), the API
 * and the metrics (readers). The gauges are registered for every problem kind
 * up front, so a kind that clears shows 0 rather than vanishing, and the label
 * set stays bounded. While the last run failed the gauges keep the last
 * verdict that was read; the error shows in the API and in
 * {@code pgvigil_check_errors_total}.
 */
public final class DriftState {

  private volatile DriftReport last;
  private volatile HistoryReport lastHistory;

  public DriftState(String target, MeterRegistry registry) {
    Gauge.builder(MIGRATIONS_PENDING, this, s -> s.lastHistory == null ? Double.NaN : s.lastHistory.pending())
        .description("Migrations in the repository not applied to the target yet")
        .tags(TAG_TARGET, target)
        .register(registry);
    for (HistoryProblemKind kind : HistoryProblemKind.values()) {
      Gauge.builder(MIGRATION_HISTORY_PROBLEMS, this,
              s -> s.lastHistory == null ? Double.NaN : s.lastHistory.count(kind))
          .description("Migrations whose history disagrees with the repository, by kind of problem")
          .tags(TAG_TARGET, target, TAG_PROBLEM, kind.label())
          .register(registry);
    }
  }

  public void update(DriftReport report) {
    last = report;
    report.history().ifPresent(h -> lastHistory = h);
  }

  /** The last verdict, empty before the first check finished. */
  public Optional<DriftReport> last() {
    return Optional.ofNullable(last);
  }
}
