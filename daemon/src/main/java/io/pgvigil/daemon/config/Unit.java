package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The unit of a rule's values, and the one place that turns amounts into text. */
public enum Unit {
  SECONDS, BYTES, COUNT;

  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b|b)?", Pattern.CASE_INSENSITIVE);
  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB"};

  /** {@code 7s}, {@code 7.2s}, {@code 1.5GiB}, {@code 6}. */
  public String format(double amount) {
    return switch (this) {
      case SECONDS -> number(amount, 1) + "s";
      case BYTES -> bytes(amount);
      case COUNT -> number(amount, 1);
    };
  }

  /** As a rule is written in the config: {@code 2s500ms}, {@code 1m}, {@code 1.5GiB}, {@code 20}. */
  public String asWritten(double amount) {
    return this == SECONDS ? Durations.format(Duration.ofNanos(Math.round(amount * 1e9))) : format(amount);
  }

  /** A whole number as it is, any other rounded to {@code decimals}: {@code 20}, {@code 2.5}. */
  public static String number(double amount, int decimals) {
    return amount == Math.rint(amount) ? Long.toString((long) amount) : fixed(amount, decimals);
  }

  public static String fixed(double amount, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", amount);
  }

  private static String bytes(double amount) {
    double v = amount;
    int i = 0;
    while (Math.abs(v) >= 1024 && i < BINARY.length - 1) {
      v /= 1024;
      i++;
    }
    return i == 0 ? (long) v + "B" : number(v, 1) + BINARY[i];
  }

  /** Bytes, or a number with B, kB, MB, GB, TB (powers of 1024, as PostgreSQL reads its settings) or KiB…TiB. */
  static Optional<Long> parseBytes(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    double number = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    int power = "b".equals(unit) ? 0 : "kmgt".indexOf(unit.charAt(0)) + 1;
    double bytes = number * Math.pow(1024, power);
    return bytes >= Long.MAX_VALUE ? Optional.empty() : Optional.of((long) bytes);
  }
}
