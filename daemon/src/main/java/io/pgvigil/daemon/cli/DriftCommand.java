package io.pgvigil.daemon.cli;

import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.schema.SnapshotOptions;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.AdoptionMigration;
import io.pgvigil.daemon.drift.DriftCheck;
import io.pgvigil.daemon.drift.DriftJson;
import io.pgvigil.daemon.drift.DriftReport;
import io.pgvigil.daemon.drift.DriftText;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "drift", mixinStandardHelpOptions = true,
    description = {
        "One-shot drift check, for CI. History: each target's migration history (Flyway or Prisma) against the "
            + "migration files in the repository: pending, missing, edited (checksum mismatch), failed, out-of-order, "
            + "outdated repeatable and future migrations. Structure: the live schema against the schema the applied "
            + "history produces when replayed into a shadow PostgreSQL of the same major (embedded, or shadow.mode: "
            + "url), one finding per object with a severity and the SQL that fixes it (or, where no fix is safe, why "
            + "and the steps by hand). Comments and statistics are "
            + "compared too; grants, owners and default privileges when the target's drift.compare lists them "
            + "(drift.roleMap translates the shadow's role names into live's).",
        "A migration running right now is reported as in progress, not as drift. Embedded shadows go to "
            + "$PGVIGIL_DATA_DIR (default: the temp directory); their PostgreSQL binaries are unpacked into "
            + "$PGVIGIL_POSTGRES_DIR when set (the container image has them there), else into the data directory. "
            + "The expected schema is kept in $PGVIGIL_DATA_DIR/drift-cache for the next run with the same applied "
            + "history, files, PostgreSQL and pgvigil (the 32 used last; --no-cache replays anyway).",
        "Progress goes to stderr (with --verbose, each phase with its time and the seconds since start); the "
            + "report to stdout."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:no drift (or only what --fail-on leaves out); with --emit-migration, the migration written",
        "2:drift found: with --fail-on any (the default) a pending migration or any drift; with drift, drift but "
            + "not a pending migration; with pending, a pending migration only",
        "1:error (nothing could be compared); with --emit-migration, refused (nothing written)"})
final class DriftCommand implements Callable<Integer> {

  private static final Duration CHECK_TIMEOUT = Duration.ofMinutes(10);

  enum Format { text, json }

  @Mixin
  TargetSelection targets;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  Format format;

  /** Which verdicts exit 2. */
  enum FailOn { drift, pending, any }

  @Option(names = "--fail-on", defaultValue = "any", paramLabel = "WHAT",
      description = "What exits 2: drift (history problems but pending, structural findings), pending (migrations "
          + "waiting to be applied), or any of both (default: ${DEFAULT-VALUE}). A CI step before the deploy "
          + "wants drift: the migrations it is about to apply are pending.")
  FailOn failOn;

  /** The migration tool whose file --emit-migration writes. */
  enum EmitTool { flyway, prisma }

  @Option(names = "--emit-migration", paramLabel = "TOOL",
      description = "Instead of the report: write the migration that adopts the live schema's drift (a hotfix made "
          + "by hand) into the target's migration location, flyway (the next version, in the history's style) or "
          + "prisma (a new YYYYMMDDHHMMSS_NAME folder). One target (--target when several have migrations). stdout "
          + "gets the SQL written, stderr the path. Refused, nothing written, exit 1: no drift, migrations pending, a "
          + "difference without an automatic statement (listed), the file exists.")
  EmitTool emitMigration;

  @Option(names = "--name", paramLabel = "NAME",
      description = "With --emit-migration: the migration's name, letters, digits and underscores "
          + "(default: " + AdoptionMigration.DEFAULT_NAME + ").")
  String name;

  @Option(names = "--no-cache", description = "Replay the history on a shadow even when the expected schema of the "
      + "same history is kept in the data directory (and do not keep this one).")
  boolean noCache;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where embedded shadows, unpacked binaries and the "
      + "expected schemas kept between runs go (default: $PGVIGIL_DATA_DIR, else pgvigil in the temp directory).")
  Path dataDir;

  @Mixin
  Console console;

  @Override
  public Integer call() {
    PrintWriter out = console.out();
    PrintWriter err = console.err();
    if (name != null && emitMigration == null) {
      err.println("error: --name names the migration --emit-migration writes; without it there is nothing to name");
      err.flush();
      return ExitCode.ERROR;
    }
    if (emitMigration != null) {
      List<TargetConfig> selected = targets.select("there is no history to compare", err);
      return selected == null ? ExitCode.ERROR
          : new EmitMigration(MigrationTool.valueOf(emitMigration.name().toUpperCase(Locale.ROOT)),
              name == null ? AdoptionMigration.DEFAULT_NAME : name,
              console.verbose, Clock.systemUTC(), storage(), !noCache).run(selected, out, err);
    }
    // Vert.x (Netty's classes and threads, a quarter of a second) starts beside the configuration's reading.
    CompletableFuture<Vertx> starting = CompletableFuture.supplyAsync(Vertx::vertx);
    List<DriftReport> reports;
    Vertx vertx = null;
    try {
      List<TargetConfig> selected = targets.select("there is no history to compare", err);
      vertx = started(starting);
      if (selected == null) {
        return ExitCode.ERROR;
      }
      reports = check(selected, vertx, err);
    } finally {
      (vertx != null ? vertx : started(starting)).close().await();
    }
    if (format == Format.json) {
      JsonArray list = new JsonArray(reports.stream().map(DriftJson::report).toList());
      out.println(new JsonObject().put("targets", list).encodePrettily());
    } else {
      reports.forEach(r -> DriftText.print(r, out));
    }
    out.flush();
    if (reports.stream().anyMatch(r -> r.status() == DriftReport.Status.ERROR)) {
      return ExitCode.ERROR;
    }
    return reports.stream().anyMatch(this::fails) ? ExitCode.FINDINGS : ExitCode.OK;
  }

  private boolean fails(DriftReport report) {
    return switch (failOn) {
      case drift -> report.driftBesidesPending();
      case pending -> report.pending();
      case any -> report.status() == DriftReport.Status.DRIFT;
    };
  }

  /** $PGVIGIL_DATA_DIR's, or --data-dir's. */
  private ShadowSettings.Storage storage() {
    Map<String, String> env = new HashMap<>(System.getenv());
    if (dataDir != null) {
      env.put("PGVIGIL_DATA_DIR", dataDir.toString());
    }
    return ShadowSettings.Storage.fromEnvironment(env);
  }

  private List<DriftReport> check(List<TargetConfig> targets, Vertx vertx, PrintWriter err) {
    ShadowSettings.Storage storage = storage();
    Consumer<String> progress = Progress.to(err, console.verbose);
    List<DriftReport> reports = new ArrayList<>();
    for (TargetConfig t : targets) {
      if (format == Format.text || console.verbose) {
        progress.accept("checking " + t.name() + " (" + t.url().redacted() + ") ...");
      }
      // Enough connections for the catalog snapshot to split its queries.
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(SnapshotOptions.MAX_PARALLELISM))
          .connectingTo(TargetSpecs.connectOptions(t.url(), t.watch().statementTimeout()))
          .using(vertx).build();
      try {
        DriftCheck check = new DriftCheck(t, storage, Optional::empty, verdict -> {}, Clock.systemUTC(), !noCache);
        if (console.verbose) {
          check.tellingPhases(line -> progress.accept(t.name() + ": " + line));
        }
        reports.add(check.verdict(vertx, pool).await(CHECK_TIMEOUT.toMinutes(), TimeUnit.MINUTES));
      } catch (TimeoutException e) {
        reports.add(DriftReport.failed(t.name(), Clock.systemUTC().instant(), Optional.empty(),
            "no verdict within " + CHECK_TIMEOUT.toMinutes() + " minutes"));
      } finally {
        pool.close();
      }
    }
    return reports;
  }

  /** The Vert.x started beside the config's reading; its own failure unwrapped. */
  private static Vertx started(CompletableFuture<Vertx> starting) {
    try {
      return starting.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }
}
