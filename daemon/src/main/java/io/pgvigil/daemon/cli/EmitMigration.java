package io.pgvigil.daemon.cli;

import static io.pgvigil.daemon.watch.Failures.message;

import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.schema.SnapshotOptions;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.AdoptionMigration;
import io.pgvigil.daemon.drift.DriftCheck;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code drift --emit-migration flyway|prisma}: the one target's drift, written as the migration that adopts it. stdout
 * gets the SQL written (the command's document), stderr the path; on any refusal nothing is written and the exit is 1.
 */
final class EmitMigration {

  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final MigrationTool tool;
  private final String name;
  private final boolean verbose;
  private final Clock clock;

  private final ShadowSettings.Storage storage;
  private final boolean keepOnDisk;

  /** @param keepOnDisk whether the expected schema may come from (and go to) the data directory's drift cache */
  EmitMigration(MigrationTool tool, String name, boolean verbose, Clock clock, ShadowSettings.Storage storage,
      boolean keepOnDisk) {
    this.storage = storage;
    this.keepOnDisk = keepOnDisk;
    this.tool = tool;
    this.name = name;
    this.verbose = verbose;
    this.clock = clock;
  }

  int run(List<TargetConfig> selected, PrintWriter out, PrintWriter err) {
    try {
      AdoptionMigration.checkName(name);
      if (selected.size() != 1) {
        throw new AdoptionMigration.Refused("--emit-migration writes one target's migration, and "
            + String.join(", ", selected.stream().map(TargetConfig::name).toList())
            + " have migrations: name one with --target");
      }
      TargetConfig target = selected.get(0);
      MigrationTool configured = target.migrations().orElseThrow().tool();
      if (configured != tool) {
        throw new AdoptionMigration.Refused("target '" + target.name() + "' uses " + configured.label()
            + " migrations, not " + tool.label() + ": use --emit-migration "
            + configured.name().toLowerCase(Locale.ROOT));
      }
      err.println("comparing " + target.name() + " (" + target.url().redacted() + ") with its history ...");
      err.flush();
      Map<String, String> liveToRepository = AdoptionMigration.repositoryRoles(target.name(),
          target.drift().roleMap());
      DriftCheck.Schemas schemas = schemas(target, liveToRepository);
      AdoptionMigration migration = AdoptionMigration.plan(target.name(), target.migrations().orElseThrow(), schemas,
          name, clock.instant());
      migration.write();
      out.print(migration.sql());
      out.flush();
      migration.files().forEach(f -> err.println("wrote " + f.file()));
      err.flush();
      return ExitCode.OK;
    } catch (AdoptionMigration.Refused e) {
      return fail(err, e.getMessage(), e);
    } catch (IOException e) {
      return fail(err, "could not write the migration: " + e, e);
    } catch (Exception e) {
      return fail(err, message(e), e);
    }
  }

  private int fail(PrintWriter err, String message, Exception e) {
    err.println("error: " + message + (message.contains("nothing written") ? "" : " (nothing written)"));
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCode.ERROR;
  }

  private DriftCheck.Schemas schemas(TargetConfig target, Map<String, String> liveToRepository) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(SnapshotOptions.MAX_PARALLELISM))
          .connectingTo(TargetSpecs.connectOptions(target.url(), target.watch().statementTimeout()))
          .using(vertx).build();
      try {
        return DriftCheck.inRepositoryRoleNames(target, storage, clock, liveToRepository, keepOnDisk)
            .schemas(vertx, pool)
            .await(TIMEOUT.toMinutes(), TimeUnit.MINUTES);
      } finally {
        pool.close();
      }
    } finally {
      vertx.close().await();
    }
  }
}
