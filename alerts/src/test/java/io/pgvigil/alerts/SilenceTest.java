package io.pgvigil.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SilenceTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final Alert ALERT =
      Fixture.lockAlert("app", "public.orders", Severity.CRITICAL, NOW);

  private static Silence silence(String target, String rule, String object) {
    return new Silence("s1", target, rule, object, NOW, NOW.plus(Duration.ofHours(2)), "deploy 42",
        "ci");
  }

  @Test
  void anAbsentMatcherMatchesAnyValue() {
    assertThat(silence("app", null, null).matches(ALERT, NOW)).isTrue();
    assertThat(silence(null, "lockWait", null).matches(ALERT, NOW)).isTrue();
    assertThat(silence(null, null, "public.orders").matches(ALERT, NOW)).isTrue();
  }

  @Test
  void aMatcherWithoutAStarIsTheExactText() {
    assertThat(silence("app", "lockWait", "public.orders").matches(ALERT, NOW)).isTrue();
    assertThat(silence("ap", null, null).matches(ALERT, NOW)).isFalse();
    assertThat(silence("App", null, null).matches(ALERT, NOW)).isFalse();
    assertThat(silence("app", "lockQueue", null).matches(ALERT, NOW)).isFalse();
    assertThat(silence("app", "lockWait", "public.order").matches(ALERT, NOW)).isFalse();
  }

  @Test
  void aStarStandsForAnyRunOfCharactersNoneIncluded() {
    assertThat(Silence.matches("*", "")).isTrue();
    assertThat(Silence.matches("*", "anything")).isTrue();
    assertThat(Silence.matches("lock*", "lockWait")).isTrue();
    assertThat(Silence.matches("lock*", "lock")).isTrue();
    assertThat(Silence.matches("*Wait", "lockWait")).isTrue();
    assertThat(Silence.matches("l*k*t", "lockWait")).isTrue();
    assertThat(Silence.matches("*.orders", "public.orders")).isTrue();
    assertThat(Silence.matches("*a*a*", "banana")).isTrue();
    assertThat(Silence.matches("lock*", "idleInTransaction")).isFalse();
    assertThat(Silence.matches("*Wait", "lockWaits")).isFalse();
    assertThat(Silence.matches("*a*b", "banana")).isFalse();
    // Only '*' is special: a dot or a question mark is itself, not a regex or glob character.
    assertThat(Silence.matches("public.order?", "public.orders")).isFalse();
    assertThat(Silence.matches("public.orders", "public_orders")).isFalse();
  }

  @Test
  void theObjectOfAnAlertWithoutOneIsEmpty() {
    Alert queue = Alert.firing("app", "lockQueue", null, Severity.WARNING, "queue", "3", "1", null,
        null, NOW);
    assertThat(silence(null, "lockQueue", "*").matches(queue, NOW)).isTrue();
    assertThat(silence(null, "lockQueue", "x*").matches(queue, NOW)).isFalse();
  }

  @Test
  void matchesOnlyFromItsStartUntilBeforeItsEnd() {
    Silence s = silence("app", null, null);
    assertThat(s.matches(ALERT, NOW.minusSeconds(1))).isFalse();
    assertThat(s.matches(ALERT, NOW.plus(Duration.ofHours(2)).minusMillis(1))).isTrue();
    assertThat(s.matches(ALERT, NOW.plus(Duration.ofHours(2)))).isFalse();
  }

  @Test
  void expiringEndsItNowButNeverLater() {
    Silence s = silence("app", null, null);
    Silence expired = s.expiredAt(NOW.plusSeconds(60));
    assertThat(expired.endsAt()).isEqualTo(NOW.plusSeconds(60));
    assertThat(expired.matches(ALERT, NOW.plusSeconds(60))).isFalse();
    assertThat(expired.expiredAt(NOW.plus(Duration.ofDays(1))).endsAt())
        .isEqualTo(NOW.plusSeconds(60));
  }
}
