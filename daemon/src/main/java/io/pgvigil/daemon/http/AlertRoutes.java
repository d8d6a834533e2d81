package io.pgvigil.daemon.http;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Blocker;
import io.pgvigil.daemon.alerting.Alerting;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/v1/alerts}: what fires now and the last resolved alerts, in the shape of the
 * webhook body's alerts (alerts/WEBHOOK.md), and the sinks by name. Alerts carry no secrets; sinks
 * are named, never their URLs or keys.
 */
final class AlertRoutes {

  private final Optional<Alerting> alerting;

  AlertRoutes(Optional<Alerting> alerting) {
    this.alerting = alerting;
  }

  void list(RoutingContext ctx) {
    JsonObject body = new JsonObject()
        .put("sinks", new JsonArray(alerting.map(Alerting::sinks).orElse(List.of())))
        .put("firing", array(alerting.map(Alerting::firing).orElse(List.of())))
        .put("resolved", array(alerting.map(Alerting::recentlyResolved).orElse(List.of())));
    ApiServer.json(ctx, 200, body);
  }

  private static JsonArray array(List<Alert> alerts) {
    JsonArray array = new JsonArray();
    alerts.forEach(a -> array.add(json(a)));
    return array;
  }

  static JsonObject json(Alert a) {
    JsonArray census = new JsonArray();
    for (Blocker b : a.census()) {
      JsonObject blocker = new JsonObject().put("pid", b.pid()).put("role", b.role())
          .put("state", b.state()).put("ageSeconds", b.ageSeconds());
      if (b.query() != null) {
        blocker.put("query", b.query());
      }
      census.add(blocker);
    }
    JsonObject details = new JsonObject();
    a.details().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> details.put(e.getKey(), e.getValue()));
    return new JsonObject()
        .put("key", a.key())
        .put("target", a.target())
        .put("rule", a.rule())
        .put("object", a.object())
        .put("severity", a.severity().wireName())
        .put("status", a.status().wireName())
        .put("summary", a.summary())
        .put("value", a.value())
        .put("threshold", a.threshold())
        .put("startsAt", a.startsAt().toString())
        .put("endsAt", Optional.ofNullable(a.endsAt()).map(Instant::toString).orElse(null))
        .put("census", census)
        .put("details", details);
  }
}
