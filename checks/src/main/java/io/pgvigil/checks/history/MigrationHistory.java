package io.pgvigil.checks.history;

import java.time.Clock;

/**
 * Compares a database's migration history with the repository's migrations: the history drift
 * half of pgvigil's drift check. Blocking (JDBC, file reads, Flyway): call it from
 * {@code executeBlocking}, never on an event loop.
 *
 * <pre>{@code
 * HistoryReport report = new MigrationHistory(clock).read(
 *     new HistoryDatabase("jdbc:postgresql://db:5432/app", "pgvigil", password),
 *     new MigrationSource.Flyway(List.of(Path.of("db/migration")), "flyway_schema_history", List.of("public")));
 * }</pre>
 *
 * Sessions are read-only, labelled {@code application_name=pgvigil} and carry a
 * statement_timeout and lock_timeout, so a read never waits on (or makes anyone wait behind) a
 * running migration.
 */
public final class MigrationHistory {

  private final Clock clock;

  public MigrationHistory(Clock clock) {
    this.clock = clock;
  }

  /**
   * Reads the history and compares it with the migration files.
   *
   * @throws HistoryException when the files or the history cannot be read; the message names the
   *     file, version or table and says how to fix it
   */
  public HistoryReport read(HistoryDatabase db, MigrationSource source) throws HistoryException {
    return source.read(db, clock.instant());
  }
}
