package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryReport;
import java.time.Instant;
import java.util.Optional;

/**
 * The last drift verdict for one target: the history comparison, or the error
 * that prevented it. An error is never "no drift".
 */
public record DriftReport(String target, Instant checkedAt, Optional<HistoryReport> history,
    Optional<String> error) {

  /** The one-word verdict, in the API and the {@code drift} command's JSON. */
  public enum Status {
    CLEAN("clean"),
    DRIFT("drift"),
    IN_PROGRESS("in-progress"),
    ERROR("error");

    private final String label;

    Status(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public static DriftReport of(String target, HistoryReport history) {
    return new DriftReport(target, history.checkedAt(), Optional.of(history), Optional.empty());
  }

  public static DriftReport failed(String target, Instant at, String error) {
    return new DriftReport(target, at, Optional.empty(), Optional.of(error));
  }

  public Status status() {
    if (error.isPresent()) {
      return Status.ERROR;
    }
    HistoryReport h = history.orElseThrow();
    if (!h.clean()) {
      return Status.DRIFT;
    }
    return h.inProgress().isPresent() ? Status.IN_PROGRESS : Status.CLEAN;
  }
}
