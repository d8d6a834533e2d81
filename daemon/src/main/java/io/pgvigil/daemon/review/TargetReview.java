package io.pgvigil.daemon.review;

import io.pgvigil.checks.review.Finding;
import io.pgvigil.checks.review.Level;
import io.pgvigil.checks.review.MigrationReview;
import java.util.List;
import java.util.Optional;

/**
 * The pre-flight review of one target.
 *
 * @param tool       {@code flyway} or {@code prisma}
 * @param applied    migrations the target's history says are applied (and were replayed)
 * @param migrations the pending migrations, in the order the tool would apply them
 * @param shadow     how the applied history was rebuilt, for people; empty when nothing was pending
 * @param error      why the target could not be reviewed; then {@code migrations} is empty
 * @param live       what was read from the live database (data questions, table sizes); empty when not read
 * @param offline    present when the review ran without the target ({@code --offline})
 */
public record TargetReview(String target, String tool, int applied, List<MigrationReview> migrations,
    String shadow, Optional<String> error, Optional<LiveReport> live, Optional<OfflineReport> offline) {

  public TargetReview {
    migrations = List.copyOf(migrations);
  }

  public TargetReview(String target, String tool, int applied, List<MigrationReview> migrations, String shadow,
      Optional<String> error) {
    this(target, tool, applied, migrations, shadow, error, Optional.empty(), Optional.empty());
  }

  TargetReview withLive(LiveReport report) {
    return new TargetReview(target, tool, applied, migrations, shadow, error, Optional.of(report), offline);
  }

  static TargetReview failed(String target, String tool, String error) {
    return new TargetReview(target, tool, 0, List.of(), "", Optional.of(error));
  }

  public List<Finding> findings() {
    return migrations.stream().flatMap(m -> m.findings().stream()).toList();
  }

  /** Findings at {@code level} that the file did not suppress: what {@code --fail-on} judges. */
  public long count(Level level) {
    return findings().stream().filter(f -> f.level() == level && !f.suppressed()).count();
  }
}
