package io.pgvigil.alerts;

import java.util.Locale;

/** The {@code result} label of {@code pgvigil_alert_notifications_total{sink,result}}. */
public enum DeliveryResult {
  /** Accepted by the service (2xx). */
  SENT,
  /** A transient failure (network, timeout, 408, 429, 5xx): still spooled, tried again later. */
  RETRIED,
  /** Rejected as a client error (400, 403, 404…): removed, never retried. */
  FAILED,
  /** Evicted unsent because the sink's spool was full. */
  DROPPED,
  /**
   * Could not be written to the spool (full disk, directory not writable): kept in memory and sent all the same, but
   * lost if pgvigil stops before the spool takes it.
   */
  SPOOL_FAILED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
