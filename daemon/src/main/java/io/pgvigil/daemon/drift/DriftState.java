package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.metrics.MeterNames.MIGRATIONS_PENDING;
import static io.pgvigil.daemon.metrics.MeterNames.MIGRATION_FILES_BEHIND;
import static io.pgvigil.daemon.metrics.MeterNames.MIGRATION_HISTORY_PROBLEMS;
import static io.pgvigil.daemon.metrics.MeterNames.SCHEMA_DRIFT_LAST_CHECK;
import static io.pgvigil.daemon.metrics.MeterNames.SCHEMA_DRIFT_OBJECTS;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_KIND;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_PROBLEM;
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
import java.util.function.ToDoubleFunction;

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
    gauge(SCHEMA_DRIFT_LAST_CHECK, "When the live schema was last compared with the replayed history",
        s -> s.lastStructure == null ? Double.NaN : s.lastStructure.checkedAt().toEpochMilli() / 1000.0);
    gauge(MIGRATIONS_PENDING, "Migrations in the repository not applied to the target yet",
        s -> s.lastHistory == null ? Double.NaN : s.lastHistory.pending());
    gauge(MIGRATION_FILES_BEHIND, "Migrations applied to the target that pgvigil's migration files do not have yet"
        + " (the files are behind the database; the structural comparison waits for them)",
        s -> s.lastHistory == null ? Double.NaN : s.lastHistory.filesBehind().size());
    for (HistoryProblemKind kind : HistoryProblemKind.values()) {
      gauge(MIGRATION_HISTORY_PROBLEMS, "Migrations whose history disagrees with the repository, by kind of problem",
          s -> s.lastHistory == null ? Double.NaN : s.lastHistory.count(kind), TAG_PROBLEM, kind.label());
    }
  }

  private void gauge(String name, String description, ToDoubleFunction<DriftState> value, String... tags) {
    Gauge.builder(name, this, value).description(description).tags(TAG_TARGET, target).tags(tags)
        .register(registry);
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
          .tags(TAG_TARGET, target, TAG_KIND, k.get(0), TAG_SEVERITY, k.get(1)).register(registry);
      return value;
    }));
    structural.forEach((key, value) -> value.set(now.getOrDefault(key, 0)));
  }

  public Optional<DriftReport> last() {
    return Optional.ofNullable(last);
  }
}
