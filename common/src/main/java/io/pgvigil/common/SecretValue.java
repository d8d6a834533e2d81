package io.pgvigil.common;

import java.util.Objects;

/**
 * A secret: a database password, the API token, a webhook URL, routing key or HMAC secret.
 * {@code toString()} hides the value so that a sink, a config record or an exception holding one
 * can be logged; only the code that needs the value asks for it, by name ({@link #reveal()}).
 */
public final class SecretValue {

  public static final String MASK = "******";

  private final String value;

  private SecretValue(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  public static SecretValue of(String value) {
    return new SecretValue(value);
  }

  /** The actual value: call it only where it is handed to the HTTP client or the HMAC. */
  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SecretValue secret && secret.value.equals(value);
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
