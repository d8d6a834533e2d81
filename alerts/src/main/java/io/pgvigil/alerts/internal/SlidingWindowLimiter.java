package io.pgvigil.alerts.internal;

import io.pgvigil.alerts.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * At most {@code permits} acquisitions in any window of {@code per}: a strict sliding window (not a token bucket) so "≤
 * 120 per minute" holds over every minute, not just on average. Not thread-safe: the caller holds its lock.
 */
public final class SlidingWindowLimiter {

  private final RateLimit limit;
  private final ArrayDeque<Instant> recent = new ArrayDeque<>();

  public SlidingWindowLimiter(RateLimit limit) {
    this.limit = limit;
  }

  public boolean tryAcquire(Instant now) {
    evict(now);
    if (recent.size() >= limit.permits()) {
      return false;
    }
    if (limit.permits() != Integer.MAX_VALUE) {
      recent.addLast(now);
    }
    return true;
  }

  private void evict(Instant now) {
    Duration per = limit.per();
    while (!recent.isEmpty() && !recent.peekFirst().plus(per).isAfter(now)) {
      recent.removeFirst();
    }
  }
}
