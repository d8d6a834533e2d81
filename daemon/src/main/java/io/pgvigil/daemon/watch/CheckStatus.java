package io.pgvigil.daemon.watch;

import java.time.Duration;
import java.time.Instant;

/** The last outcome of one check loop; immutable, as the HTTP API reads it from another thread. */
public record CheckStatus(String check, long runs, long consecutiveFailures, Instant lastRun,
    Duration lastDuration, Instant lastSuccess, String lastError) {

  static CheckStatus initial(String check) {
    return new CheckStatus(check, 0, 0, null, null, null, null);
  }

  CheckStatus succeeded(Instant at, Duration took) {
    return new CheckStatus(check, runs + 1, 0, at, took, at, null);
  }

  CheckStatus failed(Instant at, Duration took, String error) {
    return new CheckStatus(check, runs + 1, consecutiveFailures + 1, at, took, lastSuccess, error);
  }

  public boolean failing() {
    return consecutiveFailures > 0;
  }
}
