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
   * Runs Flyway's migrate on the shadow with the source's locations, table and schemas, up to
   * and including {@code headVersion}; repeatables apply as Flyway applies them.
   *
   * <p>Imprecision: a version below the head that live never applied is replayed anyway; history
   * drift reports it as out of order.
   *
   * @param headVersion the highest applied version per the live history; null if live has applied
   *     only repeatables
   */
  public void replayFlyway(ShadowDatabase shadow, MigrationSource.Flyway source, String headVersion)
      throws ReplayException {
    flyway.replay(shadow, source, headVersion);
  }

  /**
   * Runs {@code <directory>/<name>/migration.sql} for each name, in the given order, each
   * script whole.
   *
   * @param appliedNames the migrations live has applied (finished), in the order it applied them
   */
  public void replayPrisma(ShadowDatabase shadow, MigrationSource.Prisma source, List<String> appliedNames)
      throws ReplayException {
    prisma.replay(shadow, source, List.copyOf(appliedNames));
  }
}
