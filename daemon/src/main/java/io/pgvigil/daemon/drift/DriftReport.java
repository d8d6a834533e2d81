package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryProblemKind;
import io.pgvigil.checks.history.HistoryReport;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The last drift verdict for one target: the history comparison and the structural one, or the error that prevented
 * them. An error is never "no drift".
 */
public record DriftReport(String target, Instant checkedAt, Optional<HistoryReport> history,
    Optional<StructuralReport> structure, Optional<String> error) {

  /**
   * The one-word verdict, in the API and the {@code drift} command's JSON. {@code FILES_BEHIND}: the database applied
   * migrations newer than the files; not drift, comparison paused.
   */
  public enum Status {
    CLEAN, DRIFT, IN_PROGRESS, FILES_BEHIND, ERROR;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** @param structure null when there is none to report (a migration ran before the first one) */
  public static DriftReport of(String target, HistoryReport history, StructuralReport structure) {
    return new DriftReport(target, history.checkedAt(), Optional.of(history), Optional.ofNullable(structure),
        Optional.empty());
  }

  /** An error verdict, with the history when that half was read. */
  public static DriftReport failed(String target, Instant at, Optional<HistoryReport> history, String error) {
    return new DriftReport(target, at, history, Optional.empty(), Optional.of(error));
  }

  public Status status() {
    if (error.isPresent()) {
      return Status.ERROR;
    }
    HistoryReport h = history.orElseThrow();
    if (!h.clean() || structure.map(s -> !s.findings().isEmpty()).orElse(false)) {
      return Status.DRIFT;
    }
    return h.filesAreBehind() ? Status.FILES_BEHIND : h.inProgress().isPresent() ? Status.IN_PROGRESS : Status.CLEAN;
  }

  /** Drift beyond migrations waiting to be applied: another history problem, or a structural finding. */
  public boolean driftBesidesPending() {
    return status() == Status.DRIFT && (history.orElseThrow().problems().stream()
        .anyMatch(p -> p.kind() != HistoryProblemKind.PENDING)
        || structure.map(s -> !s.findings().isEmpty()).orElse(false));
  }

  /** Migrations in the repository that the database has not applied (not counted while one runs). */
  public boolean pending() {
    return status() == Status.DRIFT && history.orElseThrow().count(HistoryProblemKind.PENDING) > 0;
  }

  /** Why the structural comparison did not run this time, for people; empty when it ran (or the check failed). */
  public Optional<String> structurePaused() {
    if (error.isPresent() || history.isEmpty()) {
      return Optional.empty();
    }
    HistoryReport h = history.get();
    if (h.filesAreBehind()) {
      return Optional.of("migration files are behind the database (applied, not in the files: "
          + String.join(", ", h.filesBehind()) + "); the schema is compared again once the files catch up");
    }
    if (h.inProgress().isPresent()) {
      return Optional.of("a migration is running; the schema is compared again when it has finished");
    }
    return Optional.empty();
  }
}
