package io.pgvigil.daemon.review;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.HistoryProblem;
import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.history.OfflineHistory;
import io.pgvigil.checks.review.FlywayTransactions;
import io.pgvigil.checks.review.MigrationReview;
import io.pgvigil.checks.review.PendingMigration;
import io.pgvigil.checks.review.PreflightReview;
import io.pgvigil.checks.review.TransactionPlan;
import io.pgvigil.checks.shadow.ShadowCache;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.DriftText;
import io.pgvigil.daemon.drift.HistorySources;
import io.pgvigil.daemon.drift.ShadowSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One target's pre-flight review: read its history, replay the applied migrations into a shadow of
 * the target's major (as drift does), run the pending ones there under watch, throw the shadow
 * away. Blocking throughout: the {@code review} command runs it on its own thread.
 */
public final class ReviewRun {

  private final Shadows shadows;
  private final Consumer<String> progress;
  private final Clock clock;
  private final ReviewMode mode;
  private final ShadowCache cache;

  public ReviewRun(ShadowSettings.Storage storage, TargetConfig target, Consumer<String> progress, Clock clock) {
    this(storage, target, progress, clock, ReviewMode.ONLINE);
  }

  public ReviewRun(ShadowSettings.Storage storage, TargetConfig target, Consumer<String> progress, Clock clock,
      ReviewMode mode) {
    this.shadows = ShadowSettings.of(target.shadow(), storage).shadows();
    this.progress = progress;
    this.clock = clock;
    this.mode = mode;
    this.cache = mode.shadowCache() ? ReviewShadowCache.of(storage, clock, progress) : null;
  }

  /** Every failure is an error review, never a pass. */
  public TargetReview review(TargetConfig target) {
    MigrationSource source = target.migrations().orElseThrow();
    String tool = source.tool().label();
    Optional<ReviewMode.Offline> offline = mode.offline();
    HistoryDatabase database = offline.isPresent() ? null : HistorySources.database(target.url());
    try {
      Optional<OfflineReport> offlineReport = Optional.empty();
      HistoryReport history;
      if (offline.isPresent()) { // the repository says what is applied; the target is never contacted
        OfflineHistory.Result read = OfflineHistory.read(source, offline.get().basis(), clock.instant());
        history = read.report();
        offlineReport = Optional.of(new OfflineReport(offline.get().pgMajor(), offline.get().basis().describe(),
            read.notes()));
      } else {
        history = source.readPending(database, clock.instant());
      }
      if (history.inProgress().isPresent()) {
        return TargetReview.failed(target.name(), tool, "a migration is being applied right now ("
            + history.inProgress().get().evidence() + "); review again when it has finished");
      }
      Map<String, PendingMigration> byScript = pending(source, history);
      List<PendingMigration> pending = List.copyOf(byScript.values());
      if (pending.isEmpty()) {
        return new TargetReview(target.name(), tool, history.applied(), List.of(), "", Optional.empty(),
            Optional.empty(), offlineReport);
      }
      int major = offline.isPresent() ? offline.get().pgMajor() : database.serverMajor();
      Consumer<String> told = line -> progress.accept(target.name() + ": " + line);
      try (Shadows.Replayed shadow = cache == null ? shadows.replay(major, source, history.appliedMigrations(), told)
          : cache.replay(shadows, major, source, history.appliedMigrations(), told)) {
        if (source instanceof MigrationSource.Flyway flyway) {
          told.accept(
              "asking Flyway how it will run " + DriftText.plural(pending.size(), "pending migration") + " ...");
          pending = planned(shadow.db(), flyway, byScript); // only Flyway decides transactions itself
        }
        List<MigrationReview> reviews = new PreflightReview(told).review(shadow.db(), pending);
        String from = "pending migrations run on a PostgreSQL " + major + " shadow holding the "
            + DriftText.plural(history.appliedMigrations().size(), "applied " + tool + " migration")
            + offlineReport.map(o -> " from " + o.basis()).orElse("");
        TargetReview review = new TargetReview(target.name(), tool, history.applied(), reviews, from,
            Optional.empty(), Optional.empty(), offlineReport);
        // Offline, nothing live is read: the report says the data questions and sizes were skipped.
        return offline.isPresent() ? review : LiveEvidence.apply(target, review, told);
      }
    } catch (Exception e) {
      // HistoryException, ShadowException and ReplayException messages name the file and the fix.
      return TargetReview.failed(target.name(), tool, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** The pending files by script name, in the tool's order. */
  private static Map<String, PendingMigration> pending(MigrationSource source, HistoryReport history)
      throws IOException {
    Map<String, PendingMigration> pending = new LinkedHashMap<>();
    for (HistoryProblem problem : history.problems()) {
      if (problem.kind() == HistoryProblemKind.PENDING && problem.script() != null) {
        Path file = source.locate(problem.script());
        pending.put(problem.script(), new PendingMigration(shown(file), Files.readString(file), source.tool()));
      }
    }
    return pending;
  }

  /** Each pending migration with the transaction Flyway will give it (the shadow answers its parser). */
  private static List<PendingMigration> planned(ShadowDatabase db, MigrationSource.Flyway source,
      Map<String, PendingMigration> pending) {
    Map<String, TransactionPlan> plans =
        new FlywayTransactions(source.mixed()).plan(db, source, pending.keySet());
    return pending.entrySet().stream().map(e -> new PendingMigration(e.getValue().file(), e.getValue().sql(),
        e.getValue().tool(), plans.getOrDefault(e.getKey(), TransactionPlan.UNPLANNED))).toList();
  }

  /** Relative to the working directory when below it (as CI annotations want it), with forward slashes. */
  private static String shown(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path here = Path.of("").toAbsolutePath().normalize();
    Path shown = absolute.startsWith(here) ? here.relativize(absolute) : absolute;
    return shown.toString().replace('\\', '/');
  }
}
