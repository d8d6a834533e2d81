package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.HistoryException;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationHistory;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.runtime.TargetCheck;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Compares the target's migration history with the repository every
 * {@code drift.interval}. Flyway's API is blocking JDBC, so each run goes
 * through {@code executeBlocking}, never the event loop. The verdict (or the
 * error) is kept in {@link DriftState} for the API and the metrics.
 */
public final class HistoryDriftCheck implements TargetCheck {

  public static final String NAME = "history";
  /** Reading a few hundred files and one table; generous, but bounded. */
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final String target;
  private final HistoryDatabase database;
  private final MigrationSource source;
  private final Duration interval;
  private final MigrationHistory history;
  private final Consumer<DriftReport> verdicts;
  private final Clock clock;

  HistoryDriftCheck(String target, HistoryDatabase database, MigrationSource source,
      Duration interval, MigrationHistory history, Consumer<DriftReport> verdicts, Clock clock) {
    this.target = target;
    this.database = database;
    this.source = source;
    this.interval = interval;
    this.history = history;
    this.verdicts = verdicts;
    this.clock = clock;
  }

  /**
   * The check for a target with migrations configured.
   *
   * @param verdicts receives every verdict, errors included
   */
  public static HistoryDriftCheck of(TargetConfig target, Consumer<DriftReport> verdicts,
      Clock clock) {
    return new HistoryDriftCheck(target.name(), HistorySources.database(target.url()),
        HistorySources.source(target.migrations().orElseThrow()), target.drift().interval(),
        new MigrationHistory(clock), verdicts, clock);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Duration interval() {
    return interval;
  }

  @Override
  public Duration timeout() {
    return TIMEOUT;
  }

  @Override
  public Future<Void> run(Context context) {
    return context.vertx().executeBlocking(this::readOnce, false)
        .mapEmpty();
  }

  /** One comparison, blocking; a failure is an error verdict and an exception. */
  DriftReport readOnce() throws HistoryException {
    try {
      HistoryReport report = history.read(database, source);
      DriftReport drift = DriftReport.of(target, report);
      verdicts.accept(drift);
      return drift;
    } catch (HistoryException e) {
      verdicts.accept(DriftReport.failed(target, clock.instant(), e.getMessage()));
      throw e;
    }
  }

  /** One comparison for the {@code drift} command: the verdict, an error verdict included. */
  public DriftReport verdict() {
    try {
      return readOnce();
    } catch (HistoryException e) {
      return DriftReport.failed(target, clock.instant(), e.getMessage());
    }
  }
}
