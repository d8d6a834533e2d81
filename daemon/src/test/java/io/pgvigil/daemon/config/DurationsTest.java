package io.pgvigil.daemon.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
      "250ms, PT0.25S",
      "5s, PT5S",
      "5m, PT5M",
      "1h, PT1H",
      "2d, PT48H",
      "1m30s, PT1M30S",
      "1h30m, PT1H30M",
      "0s, PT0S",
      "1d2h3m4s5ms, PT26H3M4.005S"
  })
  void parsesUnitsAndCombinations(String text, String iso) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "5          | '5' has no unit; write it as 5s or 5ms (units: d, h, m, s, ms)",
      "-1s        | '-1s' must be a positive duration such as 1s",
      "5 parsecs  | '5 parsecs' is not a duration; write a whole number and a unit (d, h, m, s, ms) such as 5s or 1m30s",
      "1.5s       | '1.5s' is not a duration; write a whole number and a unit (d, h, m, s, ms) such as 5s or 1m30s",
      "30s1m      | '30s1m' repeats a unit or lists units out of order; write the largest unit first, such as 1h30m",
      "1s1s       | '1s1s' repeats a unit or lists units out of order; write the largest unit first, such as 1h30m"
  })
  void rejectsBareNumbersNegativesAndUnknownUnits(String text, String message) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(Durations.InvalidDurationException.class)
        .hasMessage(message);
  }

  @Test
  void rejectsEmptyText() {
    assertThatThrownBy(() -> Durations.parse("  "))
        .hasMessage("'' is empty; write a duration such as 5s");
  }

  @Test
  void rejectsOverflowInsteadOfWrappingAround() {
    assertThatThrownBy(() -> Durations.parse("99999999999999999999d"))
        .isInstanceOf(Durations.InvalidDurationException.class)
        .hasMessageEndingWith("is too large; the longest duration is 365d");
  }

  @ParameterizedTest
  @CsvSource({"366d", "365d1ms", "200000d"})
  void rejectsMoreThanAYear(String text) {
    // 200000d used to pass, then overflowed to a crash ("long overflow") when taken in nanoseconds.
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(Durations.InvalidDurationException.class)
        .hasMessage("'" + text + "' is too large; the longest duration is 365d");
  }

  @Test
  void acceptsAYear() {
    assertThat(Durations.parse("365d")).isEqualTo(Duration.ofDays(365));
  }

  @ParameterizedTest
  @CsvSource({"PT1M30S, 1m30s", "PT0.25S, 250ms", "PT0S, 0s", "PT49H, 2d1h", "PT1H0.5S, 1h500ms"})
  void formatsCompactly(String iso, String text) {
    assertThat(Durations.format(Duration.parse(iso))).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({"250ms", "1m30s", "2d1h3m4s5ms", "0s"})
  void formatIsTheInverseOfParse(String text) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
  }
}
