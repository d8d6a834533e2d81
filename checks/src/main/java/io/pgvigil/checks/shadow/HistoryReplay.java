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
   * Runs Flyway's migrate on the shadow with the source's table and schemas, over exactly the
   * applied scripts, in the order live applied them: a file live skipped (an ignored lower
   * version) is not replayed, one live applied out of order is replayed where it ran. Applied
   * scripts whose file is gone are skipped (history drift reports them).
   *
   * @param appliedScripts {@link io.pgvigil.checks.history.HistoryReport#appliedMigrations()}:
   *     paths relative to a location, in installed_rank order
   * @return how many migrations the replay ran
   */
  public int replayFlyway(ShadowDatabase shadow, MigrationSource.Flyway source, List<String> appliedScripts)
      throws ReplayException {
    return flyway.replay(shadow, source, List.copyOf(appliedScripts));
  }

  /**
   * Runs {@code <directory>/<name>/migration.sql} for each name, in the given order, each
   * script whole.
   *
   * @param appliedNames the migrations live has applied (finished), in the order it applied them
   * @return how many migrations the replay ran
   */
  public int replayPrisma(ShadowDatabase shadow, MigrationSource.Prisma source, List<String> appliedNames)
      throws ReplayException {
    prisma.replay(shadow, source, List.copyOf(appliedNames));
    return appliedNames.size();
  }
}
