package io.pgvigil.checks.shadow;

import static io.pgvigil.checks.shadow.ShadowFixtures.admin;
import static io.pgvigil.checks.shadow.ShadowFixtures.query;
import static io.pgvigil.checks.shadow.ShadowFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The session a Flyway replay runs its migrations in: bounded by the statement timeout, and quiet. */
@ExtendWith(PostgresExtension.class)
class FlywayReplaySessionIT {

  @TempDir
  Path migrations;
  private ShadowDatabase shadow;
  private final Logger flywayLogger = (Logger) LoggerFactory.getLogger("org.flywaydb");
  private final ListAppender<ILoggingEvent> flywayLog = new ListAppender<>();

  @BeforeEach
  void createShadow(TestPostgres pg) throws Exception {
    shadow = Shadows.onServer(admin(pg)).open(pg.major());
    flywayLog.start();
    flywayLogger.addAppender(flywayLog);
  }

  @AfterEach
  void dropShadow() {
    flywayLogger.detachAppender(flywayLog);
    shadow.close();
  }

  private MigrationSource.Flyway source() {
    return new MigrationSource.Flyway(List.of(migrations), "flyway_schema_history",
        List.of("public"), false);
  }

  @Test
  void migrationsRunUnderTheReplaysStatementTimeout() throws Exception {
    write(migrations, "V1__seen.sql",
        "CREATE TABLE seen AS SELECT current_setting('statement_timeout') AS statement_timeout;");

    new HistoryReplay(Duration.ofMillis(1500)).replay(shadow, source(), List.of("V1__seen.sql"));

    assertThat(query(shadow, "SELECT statement_timeout FROM public.seen")).isEqualTo("1500ms");
  }

  @Test
  void aReplayLogsNoFlywayWarning() throws Exception {
    // A warning here lands in every drift and review run's output (it was Flyway 13's
    // "initSql is deprecated" on each replay).
    write(migrations, "V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);");

    new HistoryReplay().replay(shadow, source(), List.of("V1__orders.sql"));

    assertThat(flywayLog.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }
}
