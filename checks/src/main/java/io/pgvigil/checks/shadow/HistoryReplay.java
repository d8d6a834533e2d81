package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import java.time.Duration;
import java.util.List;

/**
 * Replays the history live says is applied into a {@link ShadowDatabase}, whose snapshot is then
 * the schema the history should have produced; pending migrations are not drift, so not replayed.
 * A failure is a {@link ReplayException} (the expected schema is unknown), never drift. Blocking:
 * never call it on an event loop.
 *
 * @param statementTimeout for every statement of the replay, so that a replay cannot hang
 */
public record HistoryReplay(Duration statementTimeout) {

  /** Generous: a replay runs migrations on empty tables, so only a hang gets near it. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(5);

  public HistoryReplay {
    if (statementTimeout.isNegative() || statementTimeout.isZero()) {
      throw new IllegalArgumentException("statementTimeout must be > 0 but was " + statementTimeout);
    }
  }

  public HistoryReplay() {
    this(DEFAULT_STATEMENT_TIMEOUT);
  }

  /**
   * Runs exactly the applied migrations ({@link io.pgvigil.checks.history.HistoryReport#appliedMigrations()})
   * in the order live applied them, and says how many ran. Applied scripts whose file is gone are
   * skipped (history drift reports them).
   */
  public int replay(ShadowDatabase shadow, MigrationSource source, List<String> applied) throws ReplayException {
    List<String> copy = List.copyOf(applied);
    // The one place that tells the tools apart: their replays need the shadow, which the
    // history package (below this one) does not know.
    if (source instanceof MigrationSource.Flyway flyway) {
      return FlywayReplay.replay(shadow, flyway, copy, statementTimeout);
    }
    PrismaReplay.replay(shadow, (MigrationSource.Prisma) source, copy, statementTimeout);
    return copy.size();
  }
}
