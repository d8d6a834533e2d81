package io.pgvigil.alerts;

/** The {@code result} label of {@code pgvigil_alert_notifications_total{sink,result}}. */
public enum DeliveryResult {
  /** Accepted by the service (2xx). */
  SENT("sent"),
  /** A transient failure (network, timeout, 408, 429, 5xx): still spooled, tried again later. */
  RETRIED("retried"),
  /** Rejected as a client error (400, 403, 404…): removed, never retried. */
  FAILED("failed"),
  /** Evicted unsent because the sink's spool was full. */
  DROPPED("dropped");

  private final String label;

  DeliveryResult(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
