package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Rule values as people write and read them: {@code 5s}, {@code 512MB}, {@code 20}. */
public final class RuleUnits {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]i?b|b)?", Pattern.CASE_INSENSITIVE);
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private RuleUnits() {}

    /** A value of {@code unit} for a message: {@code 2.5s} as {@code 2500ms}, bytes as {@code 1.5 GiB}. */
    public static String format(double value, Rules.Unit unit) {
        switch (unit) {
            case SECONDS:
                return Durations.format(Duration.ofNanos(Math.round(value * 1e9)));
            case BYTES:
                return bytes(value);
            default:
                return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
        }
    }

    /** Bytes in binary units: {@code 512B}, {@code 64KiB}, {@code 1.5GiB}. */
    public static String bytes(double value) {
        double v = value;
        int i = 0;
        while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? (long) v + "B"
                : (v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v)) + UNITS[i];
    }

    /**
     * A size: a number of bytes, or a number with B, kB, MB, GB, TB (powers of 1024, as PostgreSQL
     * reads its own settings) or KiB, MiB, GiB, TiB. Empty when it is not one.
     */
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
