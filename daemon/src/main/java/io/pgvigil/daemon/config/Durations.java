package io.pgvigil.daemon.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them: {@code 250ms}, {@code 5s}, {@code 1m30s}, {@code 2d}.
 * A bare number is rejected on purpose: "5" could mean seconds or milliseconds, and guessing
 * wrong by a factor of 1000 on a lock timeout is exactly the outage this tool prevents.
 */
public final class Durations {

  /** Units from largest to smallest; a combined duration must list them in this order. */
  private static final List<String> UNITS = List.of("d", "h", "m", "s", "ms");
  private static final List<ChronoUnit> CHRONO_UNITS =
      List.of(ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS, ChronoUnit.MILLIS);

  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern BARE_NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");

  /** A year covers every sensible interval and keeps every conversion (to nanos, to seconds as a double) exact. */
  public static final Duration MAX = Duration.ofDays(365);

  private Durations() {
  }

  /** Why a text is not a duration; {@link #reason()} omits the text so callers can quote it safely. */
  public static final class InvalidDurationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    InvalidDurationException(String text, String reason) {
      super("'" + text + "' " + reason);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty()) {
      throw new InvalidDurationException("", "is empty; write a duration such as 5s");
    }
    if (trimmed.startsWith("-")) {
      throw new InvalidDurationException(trimmed, "must be a positive duration such as 1s");
    }
    if (BARE_NUMBER.matcher(trimmed).matches()) {
      throw new InvalidDurationException(trimmed,
          "has no unit; write it as " + trimmed + "s or " + trimmed + "ms (units: d, h, m, s, ms)");
    }
    if (!WHOLE.matcher(trimmed).matches()) {
      throw new InvalidDurationException(trimmed,
          "is not a duration; write a whole number and a unit (d, h, m, s, ms) such as 5s or 1m30s");
    }
    Duration total = Duration.ZERO;
    int lastUnit = -1;
    Matcher part = PART.matcher(trimmed);
    while (part.find()) {
      int unit = UNITS.indexOf(part.group(2));
      if (unit <= lastUnit) {
        throw new InvalidDurationException(trimmed,
            "repeats a unit or lists units out of order; write the largest unit first, such as 1h30m");
      }
      lastUnit = unit;
      try {
        total = total.plus(Long.parseLong(part.group(1)), CHRONO_UNITS.get(unit));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new InvalidDurationException(trimmed, "is too large; the longest duration is " + format(MAX));
      }
    }
    if (total.compareTo(MAX) > 0) {
      throw new InvalidDurationException(trimmed, "is too large; the longest duration is " + format(MAX));
    }
    return total;
  }

  /** Renders compactly, the inverse of {@link #parse}: {@code 1m30s}, {@code 250ms}, {@code 0s}. */
  public static String format(Duration duration) {
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    if (duration.isZero()) {
      return "0s";
    }
    long[] amounts = {duration.toDaysPart(), duration.toHoursPart(), duration.toMinutesPart(),
        duration.toSecondsPart(), duration.toMillisPart()};
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < amounts.length; i++) {
      if (amounts[i] > 0) {
        out.append(amounts[i]).append(UNITS.get(i));
      }
    }
    // Sub-millisecond precision cannot come from parse(); show it rather than print "".
    return out.isEmpty() ? duration.toNanos() + "ns" : out.toString();
  }
}
