package io.pgvigil.daemon.config;

import java.util.Objects;

/**
 * A configuration value that must never be logged or printed: passwords, API tokens,
 * webhook URLs (which embed their token). {@code toString()} hides the value so a record
 * holding a {@code Secret} can be logged safely; callers that need it ask for it by name.
 */
public final class Secret {

    private static final String MASK = "******";

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The actual value; call it only where the value is handed to a driver or client. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret && secret.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return MASK;
    }
}
