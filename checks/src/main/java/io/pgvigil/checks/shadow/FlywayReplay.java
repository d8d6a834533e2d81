package io.pgvigil.checks.shadow;

import io.pgvigil.checks.embedded.FileTrees;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.history.MigrationSource.ReplayedFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.internal.exception.FlywayMigrateException;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Runs Flyway itself on the shadow, so that statement splitting, placeholders' absence,
 * {@code .sql.conf} files and non-transactional statements behave as when the history was applied.
 *
 * <p>Only the applied scripts run, in the order live applied them: copied into a scratch directory
 * as {@code V1__…}, {@code V2__…} (with their {@code .sql.conf}; Flyway's resolver would also pick
 * up files live never ran and sort by version), each keeping its original name in its description
 * ({@code V3__V2_5__add_phone.sql}) and in failures. SQL callbacks are copied too: live's migrate ran them.
 */
final class FlywayReplay {

  private FlywayReplay() {}

  /** Runs exactly {@code scripts} (relative to a location, in installed_rank order) and says how many ran. */
  static int replay(ShadowDatabase shadow, MigrationSource.Flyway source, List<String> scripts, Duration timeout)
      throws ReplayException {
    for (Path location : source.locations()) {
      if (!Files.isDirectory(location)) {
        throw ReplayException.general("cannot replay the Flyway history: migrations location " + location
            + " is not a directory", null);
      }
    }
    Path staged;
    try {
      staged = Files.createTempDirectory("pgvigil-replay-");
    } catch (IOException e) {
      throw ReplayException.general("cannot replay the Flyway history: no scratch directory (" + e + ")", e);
    }
    try {
      Map<String, String> originals = stage(source, scripts, staged);
      try {
        return configure(shadow, source, staged, timeout).load().migrate().migrationsExecuted;
      } catch (FlywayException e) {
        throw translate(e, originals);
      }
    } finally {
      FileTrees.deleteQuietly(staged);
    }
  }

  /**
   * Copies {@code scripts} into {@code staged} and says which original each copy is. A script in
   * no location is skipped: it is applied but gone, which history drift reports. Only SQL
   * migrations are staged, as a migrate of filesystem locations runs only those.
   */
  private static Map<String, String> stage(MigrationSource.Flyway source, List<String> scripts, Path staged)
      throws ReplayException {
    Map<String, String> originals = new HashMap<>();
    try {
      for (String script : scripts) {
        Path file = source.find(script);
        if (file != null && file.getFileName().toString().endsWith(".sql")) {
          String name = "V" + (originals.size() + 1) + "__" + file.getFileName();
          Files.copy(file, staged.resolve(name));
          Path conf = file.resolveSibling(file.getFileName() + ".conf");
          if (Files.isRegularFile(conf)) {
            Files.copy(conf, staged.resolve(name + ".conf"));
          }
          originals.put(name, script);
        }
      }
      for (ReplayedFile callback : source.callbacks()) {
        Path copy = staged.resolve(callback.name());
        Files.createDirectories(copy.getParent());
        Files.copy(callback.path(), copy);
      }
      return originals;
    } catch (IOException | UncheckedIOException e) {
      throw ReplayException.general("cannot replay the Flyway history: copying the migration files failed ("
          + e + ")", e);
    }
  }

  private static FluentConfiguration configure(ShadowDatabase shadow, MigrationSource.Flyway source, Path staged,
      Duration statementTimeout) {
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
  private static ReplayException translate(FlywayException e, Map<String, String> originals) {
    FlywaySqlScriptException script = find(e, FlywaySqlScriptException.class);
    FlywayMigrateException migrate = find(e, FlywayMigrateException.class);
    SQLException sql = find(e, SQLException.class);
    String file = null;
    if (script != null && script.getResource() != null) {
      file = script.getResource().getFilename();
    } else if (migrate != null && migrate.getMigration() != null) {
      file = migrate.getMigration().getScript();
    }
    // A staged file name or relative path names its original; anything else stays as it is.
    file = file == null ? null : originals.getOrDefault(Path.of(file).getFileName().toString(), file);
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
