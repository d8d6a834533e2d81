package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.internal.exception.FlywayMigrateException;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Runs Flyway itself on the shadow, so that statement splitting, placeholders' absence,
 * {@code .sql.conf} files and non-transactional statements behave exactly as they did when the
 * history was applied; it runs the applied scripts only, in the order live applied them
 * ({@link StagedMigrations}).
 */
final class FlywayReplay {

  private final Duration statementTimeout;

  FlywayReplay(Duration statementTimeout) {
    this.statementTimeout = statementTimeout;
  }

  /**
   * Runs exactly {@code scripts}, in that order, and returns how many ran.
   *
   * @param scripts the applied scripts, relative to a location, in installed_rank order
   */
  int replay(ShadowDatabase shadow, MigrationSource.Flyway source, List<String> scripts) throws ReplayException {
    try (StagedMigrations staged = StagedMigrations.of(source, scripts)) {
      try {
        return configure(shadow, source, staged.directory()).load().migrate().migrationsExecuted;
      } catch (FlywayException e) {
        throw translate(e, staged::original);
      }
    }
  }

  private FluentConfiguration configure(ShadowDatabase shadow, MigrationSource.Flyway source, Path staged) {
    FluentConfiguration configuration = Flyway.configure()
        .dataSource(shadow.jdbcUrl(), shadow.user(), shadow.password())
        // Only the applied scripts, renamed so that their versions are the order live applied them in.
        .locations("filesystem:" + staged.toAbsolutePath())
        // An applied file edited since is replayed as it is now; history drift reports the edit.
        .validateOnMigrate(false)
        .failOnMissingLocations(true)
        .createSchemas(true)
        .cleanDisabled(true)
        // Live may have run with mixed=true; allowing it here never refuses what live accepted.
        .mixed(true)
        .connectRetries(0)
        // A startup parameter (libpq's options), so every connection Flyway opens has the timeout
        // from its first statement. Not initSql: Flyway 13 deprecated it and logs a warning on every run.
        .jdbcProperties(Map.of("options", "-c statement_timeout=" + statementTimeout.toMillis()));
    if (source.table() != null) {
      configuration.table(source.table());
    }
    if (!source.schemas().isEmpty()) {
      configuration.schemas(source.schemas().toArray(String[]::new));
    }
    // With the default (true) a CREATE INDEX CONCURRENTLY waits forever for Flyway's own lock
    // transaction (flyway/flyway#3497, #3854); a session advisory lock does not block it.
    configuration.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    return configuration;
  }

  /**
   * Flyway 13 wraps a failed statement as a {@link FlywayMigrateException} (the migration, its
   * script name) caused by a {@link FlywaySqlScriptException} (the resource, the statement's SQL
   * and first line) caused by the driver's {@link SQLException} (message and SQLSTATE).
   */
  static ReplayException translate(FlywayException e, UnaryOperator<String> originalName) {
    FlywaySqlScriptException script = find(e, FlywaySqlScriptException.class);
    FlywayMigrateException migrate = find(e, FlywayMigrateException.class);
    SQLException sql = find(e, SQLException.class);
    String file = null;
    if (script != null && script.getResource() != null) {
      file = script.getResource().getFilename();
    } else if (migrate != null && migrate.getMigration() != null) {
      MigrationInfo migration = migrate.getMigration();
      file = migration.getScript();
    }
    file = originalName.apply(file);
    if (file == null || sql == null) {
      return ReplayException.general("replaying the Flyway history failed: " + oneLine(e.getMessage()), e);
    }
    String statement = script == null ? null : script.getStatement();
    int line = script != null ? script.getLineNumber() : Math.max(0, migrate.getLineNumber());
    return ReplayException.atStatement(file, statement, line, Sqls.message(sql), sql.getSQLState(), e);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
