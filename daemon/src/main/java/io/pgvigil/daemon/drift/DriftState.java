package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.metrics.MeterNames.MIGRATIONS_PENDING;
import static io.pgvigil.daemon.metrics.MeterNames.MIGRATION_FILES_BEHIND;
import static io.pgvigil.daemon.metrics.MeterNames.MIGRATION_HISTORY_PROBLEMS;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_PROBLEM;
import static io.pgvigil.daemon.metrics.MeterNames.SCHEMA_DRIFT_LAST_CHECK;
import static io.pgvigil.daemon.metrics.MeterNames.SCHEMA_DRIFT_OBJECTS;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_KIND;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_SEVERITY;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.schema.SchemaFinding;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last drift verdict of one target, written by its check, read by the API and the metrics.
 * Gauges exist for every problem kind up front, so a kind that clears shows 0 rather than
 * vanishing. After a failed run the gauges keep the last verdict read; the error shows in the API
 * and in {@code pgvigil_check_errors_total}.
 */
public final class DriftState {

  private volatile DriftReport last;
  private volatile HistoryReport lastHistory;
  private volatile StructuralReport lastStructure;
  private final String target;
  private final MeterRegistry registry;
  /** (kind, severity) → findings; a pair once seen stays registered and drops to 0. */
  private final Map<List<String>, AtomicInteger> structural = new ConcurrentHashMap<>();

  public DriftState(String target, MeterRegistry registry) {
    this.target = target;
    this.registry = registry;
    Gauge.builder(SCHEMA_DRIFT_LAST_CHECK, this,
            s -> s.lastStructure == null ? Double.NaN : s.lastStructure.checkedAt().toEpochMilli() / 1000.0)
        .description("When the live schema was last compared with the replayed history")
        .tags(TAG_TARGET, target)
        .register(registry);
    Gauge.builder(MIGRATIONS_PENDING, this, s -> s.lastHistory == null ? Double.NaN : s.lastHistory.pending())
        .description("Migrations in the repository not applied to the target yet")
        .tags(TAG_TARGET, target)
        .register(registry);
    Gauge.builder(MIGRATION_FILES_BEHIND, this,
            s -> s.lastHistory == null ? Double.NaN : s.lastHistory.filesBehind().size())
        .description("Migrations applied to the target that pgvigil's migration files do not have yet"
            + " (the files are behind the database; the structural comparison waits for them)")
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
    report.structure().filter(s -> !s.stale()).ifPresent(this::count);
  }

  private void count(StructuralReport report) {
    lastStructure = report;
    Map<List<String>, Integer> now = new HashMap<>();
    for (SchemaFinding f : report.findings()) {
      now.merge(List.of(f.object().kind().yamlName(), f.severity().name().toLowerCase(Locale.ROOT)), 1,
          Integer::sum);
    }
    now.keySet().forEach(key -> structural.computeIfAbsent(key, k -> {
      AtomicInteger value = new AtomicInteger();
      Gauge.builder(SCHEMA_DRIFT_OBJECTS, value, AtomicInteger::get)
          .description("Objects whose live definition differs from the replayed history")
          .tags(TAG_TARGET, target, TAG_KIND, k.get(0), TAG_SEVERITY, k.get(1))
          .register(registry);
      return value;
    }));
    structural.forEach((key, value) -> value.set(now.getOrDefault(key, 0)));
  }

  public Optional<DriftReport> last() {
    return Optional.ofNullable(last);
  }
}
