package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.ApiLinks;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus Alertmanager: {@code POST <url>/api/v2/alerts} with a list of postable alerts (prometheus/alertmanager
 * api/v2/openapi.yaml, {@code postableAlerts}). Alertmanager resolves an alert by itself at {@code endsAt}, so a firing
 * alert carries {@code endsAt = now + ttl} and is re-posted every repeat interval, the way Prometheus does ("send
 * alerts with endsAt in the future", docs/clients.md); ttl should be a few repeat intervals so one lost post is
 * harmless. A resolved alert carries its resolve time as {@code endsAt}.
 */
public final class AlertmanagerSink extends HttpSink {

  private final SecretValue url;
  private final SecretValue bearerToken;
  private final ApiLinks links;
  private final Duration ttl;

  /**
   * @param url Alertmanager's base URL (may hold basic-auth credentials, hence a secret)
   * @param bearerToken sent as {@code Authorization: Bearer}, or {@code null}
   */
  public AlertmanagerSink(String name, WebClient client, Clock clock, SecretValue url,
      SecretValue bearerToken, String apiBaseUrl, Duration ttl, Duration timeout) {
    super(name, true, 20, new RateLimit(10, Duration.ofSeconds(1)), client, clock, timeout, url, bearerToken);
    this.url = url;
    this.bearerToken = bearerToken;
    this.links = new ApiLinks(apiBaseUrl);
    this.ttl = ttl;
  }

  @Override
  public Future<Void> send(List<Notification> batch) {
    Map<String, String> headers = bearerToken == null || bearerToken.isEmpty() ? Map.of()
        : Map.of("Authorization", "Bearer " + bearerToken.reveal());
    String base = url.reveal().replaceAll("/+$", "");
    return post(base + "/api/v2/alerts", headers, alerts(batch).toBuffer());
  }

  JsonArray alerts(List<Notification> batch) {
    // The last state of each key wins: a batch may hold a firing and then its resolve.
    Map<String, Alert> latest = new LinkedHashMap<>();
    batch.forEach(n -> n.alerts().forEach(a -> {
      latest.remove(a.key());
      latest.put(a.key(), a);
    }));
    Instant now = clock.instant();
    JsonArray out = new JsonArray();
    for (Alert a : latest.values()) {
      JsonObject labels = new JsonObject().put("alertname", a.rule()).put("target", a.target()).put("rule", a.rule())
          .put("severity", a.severity().wireName()).put("source", "pgvigil");
      if (!a.object().isEmpty()) {
        labels.put("object", a.object()); // an empty label value means "no label" to Alertmanager
      }
      JsonObject alert = new JsonObject().put("labels", labels).put("annotations", new JsonObject()
          .put("summary", a.summary()).put("description", description(a))).put("startsAt", a.startsAt().toString())
          .put("endsAt", (a.isFiring() ? now.plus(ttl) : a.endsAt()).toString());
      if (links.enabled()) {
        alert.put("generatorURL", links.forAlert(a));
      }
      out.add(alert);
    }
    return out;
  }

  private static String description(Alert a) {
    StringBuilder sb = new StringBuilder();
    if (a.value() != null) {
      sb.append("value ").append(a.value());
      if (a.threshold() != null) {
        sb.append(" vs threshold ").append(a.threshold());
      }
      sb.append(". ");
    }
    if (!a.census().isEmpty()) {
      sb.append("Blockers:");
      a.census().forEach(b -> sb.append(" pid ").append(b.pid()).append(" (").append(b.role())
          .append(", ").append(b.state()).append(", ").append(b.ageSeconds()).append("s)"));
    }
    return sb.toString().strip();
  }
}
