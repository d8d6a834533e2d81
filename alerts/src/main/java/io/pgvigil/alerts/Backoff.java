package io.pgvigil.alerts;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": attempt n waits a random time in [d/2, d] where d = min(cap, base *
 * 2^(n-1)). Half the delay is fixed so a retry never fires at once; the random half spreads many pgvigil replicas apart
 * (aws.amazon.com/blogs/architecture/ exponential-backoff-and-jitter). A server's {@code Retry-After} wins, capped at
 * {@code cap} times 12 so a bogus header cannot park a sink for days.
 */
public record Backoff(Duration base, Duration cap, RandomGenerator random) {

  public static Backoff standard(RandomGenerator random) {
    return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), random);
  }

  public Duration delay(int attempt, Duration retryAfter) {
    if (retryAfter != null) {
      Duration max = cap.multipliedBy(12);
      return retryAfter.isNegative() ? Duration.ZERO : retryAfter.compareTo(max) > 0 ? max : retryAfter;
    }
    long capMs = cap.toMillis();
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    long d = Math.min(capMs, base.toMillis() << shift);
    long half = d / 2;
    return Duration.ofMillis(half + (half > 0 ? random.nextLong(half + 1) : 0));
  }
}
