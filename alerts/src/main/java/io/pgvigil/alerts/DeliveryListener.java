package io.pgvigil.alerts;

/**
 * Told about every delivery outcome, so the daemon can count {@code pgvigil_alert_notifications_total{sink,result}}
 * without this module depending on Micrometer. Called on a Vert.x thread: it must not block.
 */
@FunctionalInterface
public interface DeliveryListener {

  DeliveryListener NONE = event -> {};

  void onDelivery(DeliveryEvent event);
}
