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
  DROPPED("dropped"),
  /**
   * Could not be written to the spool (full disk, directory not writable): kept in memory and
   * sent all the same, but lost if pgvigil stops before the spool takes it.
   */
  SPOOL_FAILED("spool_failed");

  private final String label;

  DeliveryResult(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
