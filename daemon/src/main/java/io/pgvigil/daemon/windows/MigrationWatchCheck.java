package io.pgvigil.daemon.windows;

import io.pgvigil.checks.migration.DetectedTool;
import io.pgvigil.checks.migration.MigrationBackend;
import io.pgvigil.checks.migration.MigrationDetector;
import io.pgvigil.daemon.watch.TargetCheck;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Opens a migration window by itself when a migration tool is seen running (Flyway's or Prisma's
 * advisory lock, Liquibase's lock row, a configured {@code application_name}) and closes it when
 * the tool is gone; at the lock watch's pace, so a window starts within one poll of the migration.
 */
public final class MigrationWatchCheck extends TargetCheck {

  public static final String NAME = "migrations";
  /** An automatic window lasts while the tool is seen; this only bounds a stuck one. */
  static final Duration AUTO_TTL = Duration.ofHours(6);

  private final MigrationDetector detector = new MigrationDetector();
  private final String target;
  private final List<String> applicationNames;
  private final WindowRegistry windows;

  /** @param applicationNames SQL LIKE patterns of application_name that mark a migration session */
  public MigrationWatchCheck(String target, List<String> applicationNames, Supplier<Duration> interval,
      Duration timeout, WindowRegistry windows) {
    super(NAME, interval, timeout);
    this.target = target;
    this.applicationNames = List.copyOf(applicationNames);
    this.windows = windows;
  }

  @Override
  public Future<Void> run(Context context) {
    return detector.poll(context.pool(), applicationNames).onSuccess(this::reconcile).mapEmpty();
  }

  private void reconcile(List<MigrationBackend> running) {
    // One window per tool, recording the backend most likely running the statements: an
    // active one before the idle lock holder (Flyway's default mode runs its SQL on a second
    // connection while the first holds the lock, idle in transaction).
    Map<String, MigrationBackend> byTool = new LinkedHashMap<>();
    // A session already recognised by its tool's lock is not a second, "application" migration.
    Set<Integer> known = running.stream().filter(b -> b.tool() != DetectedTool.APPLICATION && b.pid() != null)
        .map(MigrationBackend::pid).collect(Collectors.toSet());
    running.stream()
        .filter(b -> b.tool() != DetectedTool.APPLICATION || !known.contains(b.pid()))
        .sorted(Comparator.comparing((MigrationBackend b) -> !"active".equals(b.state())))
        .forEach(b -> byTool.putIfAbsent(b.tool().label(), b));
    byTool.forEach((tool, b) -> {
      Set<Integer> seen = running.stream().filter(r -> r.tool().label().equals(tool) && r.pid() != null)
          .map(MigrationBackend::pid).collect(Collectors.toCollection(HashSet::new));
      windows.openAuto(target, tool, b.pid(), b.backendStart(), "active".equals(b.state()), seen, AUTO_TTL);
    });
    windows.migrationEnded(target, byTool.keySet());
  }
}
