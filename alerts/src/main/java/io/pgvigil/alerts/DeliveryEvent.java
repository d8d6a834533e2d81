package io.pgvigil.alerts;

/**
 * What happened to one notification on one attempt.
 *
 * @param detail e.g. "HTTP 400" or a network error, free of secrets
 */
public record DeliveryEvent(String sink, DeliveryResult result, String notificationId, String detail) {}
