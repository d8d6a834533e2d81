package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Replays the history that the live database says is applied into a {@link ShadowDatabase}, so
 * that a snapshot of the shadow is the schema the history should have produced. Pending
 * migrations (not applied in live) are not replayed: they are not drift.
 *
 * <p>A failure is a {@link ReplayException} (the expected schema is unknown), never drift.
 * Blocking (JDBC, Flyway): never call it on an event loop.
 */
public final class HistoryReplay {

  /** Generous: a replay runs migrations on empty tables, so only a hang gets near it. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(5);

  private final FlywayReplay flyway;
  private final PrismaReplay prisma;

  public HistoryReplay() {
    this(DEFAULT_STATEMENT_TIMEOUT);
  }

  /** @param statementTimeout for every statement of the replay, so that a replay cannot hang */
  public HistoryReplay(Duration statementTimeout) {
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    if (statementTimeout.isNegative() || statementTimeout.isZero()) {
      throw new IllegalArgumentException("statementTimeout must be > 0 but was " + statementTimeout);
    }
    this.flyway = new FlywayReplay(statementTimeout);
    this.prisma = new PrismaReplay(statementTimeout);
  }

  /**
   * Runs exactly the applied migrations, in the order live applied them. Flyway: its own
   * migrate, with the source's table and schemas, so a file live skipped (an ignored lower
   * version) is not replayed and one applied out of order is replayed where it ran; applied
   * scripts whose file is gone are skipped (history drift reports them). Prisma: each
   * {@code <name>/migration.sql} whole.
   *
   * @param applied {@link io.pgvigil.checks.history.HistoryReport#appliedMigrations()}
   * @return how many migrations the replay ran
   */
  public int replay(ShadowDatabase shadow, MigrationSource source, List<String> applied) throws ReplayException {
    List<String> copy = List.copyOf(applied);
    // The one place that tells the tools apart: their replays need the shadow, which the
    // history package (below this one) does not know.
    if (source instanceof MigrationSource.Flyway flywaySource) {
      return flyway.replay(shadow, flywaySource, copy);
    }
    prisma.replay(shadow, (MigrationSource.Prisma) source, copy);
    return copy.size();
  }
}
