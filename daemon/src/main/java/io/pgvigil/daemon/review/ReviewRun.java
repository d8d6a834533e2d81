package io.pgvigil.daemon.review;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationHistory;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.review.FlywayTransactions;
import io.pgvigil.checks.review.MigrationReview;
import io.pgvigil.checks.review.PendingMigration;
import io.pgvigil.checks.review.PreflightReview;
import io.pgvigil.checks.review.TransactionPlan;
import io.pgvigil.checks.shadow.HistoryReplay;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.ShadowDatabases;
import io.pgvigil.daemon.config.MigrationsConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.HistorySources;
import io.pgvigil.daemon.drift.ShadowSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * One target's pre-flight review, start to end: read its history, find the pending migration
 * files, replay the applied history into a shadow of the target's major (as drift does), run the
 * pending migrations there under watch, throw the shadow away. Blocking throughout: the
 * {@code review} command runs it on its own thread, no event loop involved.
 */
public final class ReviewRun {

  private final ShadowSettings shadow;
  private final Consumer<String> progress;
  private final Clock clock;

  public ReviewRun(ShadowSettings.Storage storage, TargetConfig target, Consumer<String> progress, Clock clock) {
    this.shadow = ShadowSettings.of(target.shadow(), storage);
    this.progress = progress;
    this.clock = clock;
  }

  /** Every failure is an error review, never a pass. */
  public TargetReview review(TargetConfig target) {
    MigrationSource source = HistorySources.source(target.migrations().orElseThrow());
    String tool = target.migrations().orElseThrow().tool();
    HistoryDatabase database = HistorySources.database(target.url());
    try {
      HistoryReport history = new MigrationHistory(clock).read(database, source);
      if (history.inProgress().isPresent()) {
        return TargetReview.failed(target.name(), tool, "a migration is being applied right now ("
            + history.inProgress().get().evidence() + "); review again when it has finished");
      }
      Map<String, PendingMigration> byScript = pending(source, history);
      List<PendingMigration> pending = List.copyOf(byScript.values());
      if (pending.isEmpty()) {
        return new TargetReview(target.name(), tool, history.applied(), List.of(), "", Optional.empty());
      }
      int major = major(database);
      progress.accept(target.name() + ": starting a PostgreSQL " + major + " shadow ...");
      try (ShadowDatabase db = open(major)) {
        int count = history.appliedMigrations().size();
        progress.accept(target.name() + ": replaying " + count + " applied migration" + (count == 1 ? "" : "s")
            + " ...");
        HistoryReplay replay = new HistoryReplay();
        if (source instanceof MigrationSource.Flyway flyway) {
          replay.replayFlyway(db, flyway, history.appliedMigrations());
        } else {
          replay.replayPrisma(db, (MigrationSource.Prisma) source, history.appliedMigrations());
        }
        if (source instanceof MigrationSource.Flyway flyway) {
          pending = planned(db, flyway, target.migrations().orElseThrow(), byScript);
        }
        List<MigrationReview> reviews = new PreflightReview(line -> progress.accept(target.name() + ": " + line))
            .review(db, pending);
        String from = "pending migrations run on a PostgreSQL " + major + " shadow holding the " + count
            + " applied " + source.tool().label() + " migration" + (count == 1 ? "" : "s");
        return new TargetReview(target.name(), tool, history.applied(), reviews, from, Optional.empty());
      }
    } catch (Exception e) {
      // HistoryException, ShadowException and ReplayException messages name the file and the fix.
      return TargetReview.failed(target.name(), tool, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** The pending files, in the order the history reader lists them (the tool's order), by script name. */
  private static Map<String, PendingMigration> pending(MigrationSource source, HistoryReport history)
      throws IOException {
    Map<String, PendingMigration> pending = new LinkedHashMap<>();
    for (HistoryProblem problem : history.problems()) {
      if (problem.kind() != HistoryProblemKind.PENDING || problem.script() == null) {
        continue;
      }
      Path file = locate(source, problem.script());
      pending.put(problem.script(), new PendingMigration(shown(file), Files.readString(file, StandardCharsets.UTF_8),
          source.tool()));
    }
    return pending;
  }

  /** Each pending migration with the transaction Flyway itself will give it at deploy (the shadow answers its parser). */
  private static List<PendingMigration> planned(ShadowDatabase db, MigrationSource.Flyway source,
      MigrationsConfig config, Map<String, PendingMigration> pending) {
    boolean mixed = config instanceof MigrationsConfig.Flyway flyway && flyway.mixed();
    Map<String, TransactionPlan> plans = new FlywayTransactions(mixed).plan(db, source, pending.keySet());
    List<PendingMigration> planned = new ArrayList<>();
    pending.forEach((script, m) -> planned.add(new PendingMigration(m.file(), m.sql(), m.tool(),
        plans.getOrDefault(script, TransactionPlan.UNPLANNED))));
    return planned;
  }

  private static Path locate(MigrationSource source, String script) throws IOException {
    if (source instanceof MigrationSource.Prisma prisma) {
      return prisma.directory().resolve(script);
    }
    for (Path location : ((MigrationSource.Flyway) source).locations()) {
      Path file = location.resolve(script);
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    throw new IOException("pending migration " + script + " is in none of the Flyway locations");
  }

  /** Relative to the working directory when below it (as CI annotations want it), with forward slashes. */
  static String shown(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path here = Path.of("").toAbsolutePath().normalize();
    Path shown = absolute.startsWith(here) ? here.relativize(absolute) : absolute;
    return shown.toString().replace('\\', '/');
  }

  /** The target's major: the shadow runs the same one. */
  private static int major(HistoryDatabase database) throws SQLException {
    Properties properties = new Properties();
    if (database.user() != null) {
      properties.setProperty("user", database.user());
    }
    if (database.password() != null) {
      properties.setProperty("password", database.password());
    }
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "pgvigil");
    properties.setProperty("readOnly", "true");
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), properties);
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1)) / 10000;
    }
  }

  private ShadowDatabase open(int major) throws Exception {
    if (shadow.admin().isPresent()) {
      return ShadowDatabases.onServer(shadow.admin().get(), major);
    }
    Files.createDirectories(shadow.workDir());
    return ShadowDatabases.embedded(major, shadow.binariesCache(), shadow.workDir());
  }
}
