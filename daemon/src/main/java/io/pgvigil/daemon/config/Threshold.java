package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Warn and abort levels of one rule. A breach must last {@code sustainedFor} (YAML {@code for})
 * before it fires, so a single slow sample does not page anyone or abort a deploy.
 *
 * @param <T> {@link Duration} for time-based rules, {@link Integer} for counts
 */
public record Threshold<T extends Comparable<T>>(Optional<T> warn, Optional<T> abort, Duration sustainedFor) {

    public Threshold {
        Objects.requireNonNull(warn, "warn");
        Objects.requireNonNull(abort, "abort");
        Objects.requireNonNull(sustainedFor, "sustainedFor");
        if (warn.isEmpty() && abort.isEmpty()) {
            throw new IllegalArgumentException("a threshold needs warn, abort or both");
        }
    }

    public static <T extends Comparable<T>> Threshold<T> of(T warn, T abort, Duration sustainedFor) {
        return new Threshold<>(Optional.of(warn), Optional.of(abort), sustainedFor);
    }

    public static <T extends Comparable<T>> Threshold<T> warnOnly(T warn) {
        return new Threshold<>(Optional.of(warn), Optional.empty(), Duration.ZERO);
    }
}
