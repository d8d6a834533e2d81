package io.pgvigil.alerts;

import java.time.Instant;
import java.util.List;

/**
 * One message owed to one sink: the alerts of one target that changed together. The {@code id} travels with it (webhook
 * {@code notificationId}) so a receiver can drop a resend after a crash; {@code seq} orders a sink's notifications in
 * the spool and on the wire.
 */
public record Notification(long seq, String id, String sink, Instant createdAt, List<Alert> alerts) {

  public Notification {
    alerts = List.copyOf(alerts);
    if (alerts.isEmpty()) {
      throw new IllegalArgumentException("a notification carries at least one alert");
    }
  }

  public String target() {
    return alerts.get(0).target();
  }
}
