package io.pgvigil.alerts;

import io.vertx.core.Future;
import java.util.List;

/**
 * A destination for notifications. The {@link DeliveryQueue} calls {@link #send} for one sink at a time and in order,
 * within the sink's {@link #rateLimit()}.
 */
public interface Sink {

  /** Unique, {@code [a-z0-9][a-z0-9_-]*}: names the spool directory and the metric label. */
  String name();

  /** Whether one notification may carry several alerts of one target (one message, grouped). */
  boolean groupsAlerts();

  /** How many queued notifications may be coalesced into one request. */
  int maxBatch();

  RateLimit rateLimit();

  /**
   * Delivers the batch. Fails with a {@link DeliveryFailure} saying whether to retry; the failure's message must not
   * contain a secret (URL path, key).
   */
  Future<Void> send(List<Notification> batch);
}
