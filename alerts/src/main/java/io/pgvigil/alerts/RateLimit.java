package io.pgvigil.alerts;

import java.time.Duration;

/** At most {@code permits} requests in any window of {@code per}. */
public record RateLimit(int permits, Duration per) {

  public static final RateLimit NONE = new RateLimit(Integer.MAX_VALUE, Duration.ofSeconds(1));

  public RateLimit {
    if (permits < 1 || per.isNegative() || per.isZero()) {
      throw new IllegalArgumentException("rate limit must allow at least 1 per positive window");
    }
  }
}
