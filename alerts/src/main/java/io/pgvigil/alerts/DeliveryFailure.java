package io.pgvigil.alerts;

import java.time.Duration;
import java.util.Optional;

/**
 * Why a send failed, and whether trying again can help: network errors, timeouts, 408, 429 and 5xx are {@link
 * Kind#TRANSIENT}; any other status (400 bad payload, 403, 404) is {@link Kind#REJECTED}, because sending the same
 * bytes again would fail the same way.
 */
public final class DeliveryFailure extends RuntimeException {

  public enum Kind { TRANSIENT, REJECTED }

  private final Kind kind;
  private final transient Duration retryAfter;

  public DeliveryFailure(Kind kind, Duration retryAfter, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public static DeliveryFailure ofStatus(int status, Duration retryAfter) {
    boolean transientStatus = status == 408 || status == 429 || status >= 500;
    return new DeliveryFailure(transientStatus ? Kind.TRANSIENT : Kind.REJECTED, retryAfter, "HTTP " + status);
  }

  /** A connection error or timeout; {@code message} must already be free of secrets. */
  public static DeliveryFailure network(String message) {
    return new DeliveryFailure(Kind.TRANSIENT, null, message);
  }

  public Kind kind() {
    return kind;
  }

  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
