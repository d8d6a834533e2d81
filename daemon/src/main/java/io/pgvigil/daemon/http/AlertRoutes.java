package io.pgvigil.daemon.http;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.AlertJson;
import io.pgvigil.daemon.alerting.Alerting;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /api/v1/alerts}: what fires now and the last resolved alerts, in the shape of the
 * webhook body's alerts (alerts/WEBHOOK.md), and the sinks by name. Alerts carry no secrets; sinks
 * are named, never their URLs or keys.
 */
final class AlertRoutes {

  private final Alerting alerting;

  AlertRoutes(Alerting alerting) {
    this.alerting = alerting;
  }

  void list(RoutingContext ctx) {
    JsonObject body = new JsonObject()
        .put("sinks", new JsonArray(alerting.sinks()))
        .put("firing", array(alerting.firing()))
        .put("resolved", array(alerting.recentlyResolved()));
    ApiServer.json(ctx, 200, body);
  }

  private static JsonArray array(List<Alert> alerts) {
    return new JsonArray(alerts.stream().map(AlertJson::alert).toList());
  }
}
