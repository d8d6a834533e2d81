package io.pgvigil.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.alerts.internal.SlidingWindowLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = Backoff.standard(new Random(7));

  @Test
  void doublesWithJitterUpToTheCap() {
    for (int attempt = 1; attempt <= 20; attempt++) {
      long full = Math.min(300_000L, 1000L << Math.min(attempt - 1, 30));
      for (int i = 0; i < 50; i++) {
        long d = backoff.delay(attempt, null).toMillis();
        assertThat(d).isBetween(full / 2, full);
      }
    }
  }

  @Test
  void retryAfterWinsButIsCapped() {
    assertThat(backoff.delay(1, Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
    assertThat(backoff.delay(1, Duration.ofDays(3))).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void parsesRetryAfterSecondsAndHttpDates() {
    Instant now = Instant.parse("2025-03-01T12:00:00Z");
    assertThat(HttpSink.retryAfter("120", now)).isEqualTo(Duration.ofMinutes(2));
    assertThat(HttpSink.retryAfter("Sat, 01 Mar 2025 12:00:45 GMT", now))
        .isEqualTo(Duration.ofSeconds(45));
    assertThat(HttpSink.retryAfter("Sat, 01 Mar 2025 11:00:00 GMT", now)).isZero();
    assertThat(HttpSink.retryAfter("soon", now)).isNull();
    assertThat(HttpSink.retryAfter(null, now)).isNull();
  }

  @Test
  void slidingWindowNeverExceedsItsPermitsInAnyWindow() {
    SlidingWindowLimiter limiter = new SlidingWindowLimiter(
        new RateLimit(2, Duration.ofSeconds(1)));
    Instant t = Instant.parse("2025-03-01T12:00:00Z");
    assertThat(limiter.tryAcquire(t)).isTrue();
    assertThat(limiter.tryAcquire(t.plusMillis(500))).isTrue();
    assertThat(limiter.tryAcquire(t.plusMillis(999))).isFalse();
    assertThat(limiter.tryAcquire(t.plusSeconds(1).minusNanos(1))).isFalse();
    assertThat(limiter.tryAcquire(t.plusSeconds(1))).isTrue();
    assertThat(limiter.tryAcquire(t.plusMillis(1400))).isFalse();
  }
}
