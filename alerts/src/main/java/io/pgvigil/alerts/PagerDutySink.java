package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.ApiLinks;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * PagerDuty Events API v2: {@code POST <baseUrl>/v2/enqueue}, one event per alert ({@code trigger}, repeated while
 * firing, then {@code resolve} with the same {@code dedup_key} and {@code routing_key}). Field names and limits from
 * developer.pagerduty.com/docs/events-api-v2/trigger-events: summary at most 1024 characters, severity
 * critical|error|warning|info, and a rate limit of 120 events per minute per integration, of which this sink uses at
 * most 100 so a retry burst stays under it.
 */
public final class PagerDutySink extends HttpSink {

  public static final String DEFAULT_BASE_URL = "https://events.pagerduty.com";
  public static final RateLimit RATE_LIMIT = new RateLimit(100, Duration.ofMinutes(1));
  private static final int MAX_SUMMARY = 1024;

  private final SecretValue routingKey;
  private final String enqueueUrl;
  private final ApiLinks links;

  /**
   * @param baseUrl {@link #DEFAULT_BASE_URL}, or a test receiver
   * @param apiBaseUrl pgvigil's externally reachable API base for links, or {@code null}
   */
  public PagerDutySink(String name, WebClient client, Clock clock, SecretValue routingKey,
      String baseUrl, String apiBaseUrl, Duration timeout) {
    // Not grouped: one PagerDuty event is one incident key; batches of 1: one event per request.
    super(name, false, 1, RATE_LIMIT, client, clock, timeout, routingKey);
    this.routingKey = routingKey;
    this.enqueueUrl = (baseUrl == null ? DEFAULT_BASE_URL : baseUrl).replaceAll("/+$", "") + "/v2/enqueue";
    this.links = new ApiLinks(apiBaseUrl);
  }

  @Override
  public Future<Void> send(List<Notification> batch) {
    return post(enqueueUrl, Map.of(), event(batch.get(0).alerts().get(0)).toBuffer());
  }

  JsonObject event(Alert a) {
    JsonObject event = new JsonObject().put("routing_key", routingKey.reveal())
        .put("event_action", a.isFiring() ? "trigger" : "resolve").put("dedup_key", a.key());
    if (!a.isFiring()) {
      return event; // resolve needs only the key (same docs, "resolve events")
    }
    JsonObject custom = new JsonObject().put("value", a.value()).put("threshold", a.threshold())
        .put("object", a.object()).put("census", AlertJson.census(a.census()));
    a.details().forEach(custom::put);
    String summary = a.summary().length() > MAX_SUMMARY ? a.summary().substring(0, MAX_SUMMARY - 1) + "…" : a.summary();
    event.put("payload", new JsonObject().put("summary", summary).put("source", a.target())
        .put("severity", a.severity().wireName()).put("timestamp", a.startsAt().toString())
        .put("component", a.object().isEmpty() ? a.target() : a.object()).put("group", a.target())
        .put("class", a.rule()).put("custom_details", custom));
    event.put("client", "pgvigil");
    if (links.enabled()) {
      event.put("client_url", links.alerts());
      event.put("links", new JsonArray().add(new JsonObject()
          .put("href", links.forAlert(a)).put("text", "pgvigil: " + a.rule() + " on " + a.target()))
          .add(new JsonObject().put("href", links.jsonForAlert(a)).put("text", "pgvigil API (JSON)")));
    }
    return event;
  }
}
