package io.pgvigil.alerts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one JSON shape of alerts and notifications: the spool format and the webhook body (alerts/WEBHOOK.md). {@link
 * #alert(Alert)} is public: the daemon's API shows alerts in this shape.
 */
public final class AlertJson {

  private AlertJson() {}

  public static JsonObject alert(Alert a) {
    JsonObject json = new JsonObject().put("key", a.key()).put("target", a.target()).put("rule", a.rule())
        .put("object", a.object()).put("severity", a.severity().wireName()).put("status", a.status().wireName())
        .put("summary", a.summary()).put("value", a.value()).put("threshold", a.threshold())
        .put("startsAt", a.startsAt().toString()).put("endsAt", a.endsAt() == null ? null : a.endsAt().toString())
        .put("census", census(a.census()));
    JsonObject details = new JsonObject();
    a.details().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> details.put(e.getKey(), e.getValue()));
    return json.put("details", details);
  }

  /**
   * A firing alert as an engine keeps it: the alert, when it was last sent ({@code null}: never), the sinks that heard
   * it and whether a send is owed ({@code pending}).
   */
  static JsonObject state(Alert a, Instant lastSent, Set<String> sentTo, boolean pending) {
    return new JsonObject().put("alert", alert(a))
        .put("lastSent", lastSent.equals(Instant.MIN) ? null : lastSent.toString())
        .put("sentTo", new JsonArray(List.copyOf(sentTo))).put("pending", pending);
  }

  static JsonArray census(List<Blocker> census) {
    JsonArray array = new JsonArray();
    for (Blocker b : census) {
      JsonObject json = new JsonObject().put("pid", b.pid()).put("role", b.role())
          .put("state", b.state()).put("ageSeconds", b.ageSeconds());
      if (b.query() != null) {
        json.put("query", b.query());
      }
      array.add(json);
    }
    return array;
  }

  public static Alert alert(JsonObject json) {
    List<Blocker> census = json.getJsonArray("census", new JsonArray()).stream()
        .map(JsonObject.class::cast)
        .map(b -> new Blocker(b.getInteger("pid"), b.getString("role"), b.getString("state"),
            b.getLong("ageSeconds"), b.getString("query")))
        .toList();
    Map<String, String> details = new LinkedHashMap<>();
    json.getJsonObject("details", new JsonObject()).forEach(e -> details.put(e.getKey(), String.valueOf(e.getValue())));
    String endsAt = json.getString("endsAt");
    return new Alert(json.getString("key"), json.getString("target"), json.getString("rule"), json.getString("object"),
        Severity.fromWireName(json.getString("severity")), json.getString("summary"), json.getString("value"),
        json.getString("threshold"), census, details, Instant.parse(json.getString("startsAt")),
        endsAt == null ? null : Instant.parse(endsAt), AlertStatus.fromWireName(json.getString("status")));
  }

  static JsonArray alerts(Notification n) {
    return new JsonArray(n.alerts().stream().map(AlertJson::alert).toList());
  }

  static JsonObject notification(Notification n) {
    return new JsonObject().put("seq", n.seq()).put("id", n.id()).put("sink", n.sink())
        .put("createdAt", n.createdAt().toString()).put("alerts", alerts(n));
  }

  static Notification notification(JsonObject json) {
    List<Alert> alerts = json.getJsonArray("alerts").stream()
        .map(o -> alert((JsonObject) o))
        .toList();
    return new Notification(json.getLong("seq"), json.getString("id"), json.getString("sink"),
        Instant.parse(json.getString("createdAt")), alerts);
  }
}
