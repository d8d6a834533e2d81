package io.pgvigil.daemon.testing;

import io.pgvigil.alerts.testing.Receiver;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What a receiver was told, in the terms of the service it stands in for. */
public final class Notifications {

  /** One notification of one alert: its key, {@code firing} or {@code resolved}, and its severity if known. */
  public record Notification(String key, String status, String severity) {}

  private Notifications() {}

  /** PagerDuty events in the order they arrived: trigger is firing, resolve is resolved. */
  public static List<Notification> pagerduty(Receiver receiver) {
    return receiver.accepted().stream().map(Receiver.Request::json)
        .map(e -> new Notification(e.getString("dedup_key"),
            e.getString("event_action").equals("trigger") ? "firing" : "resolved",
            e.getJsonObject("payload") == null ? null : e.getJsonObject("payload").getString("severity")))
        .toList();
  }

  /** The alerts of pgvigil's webhook payloads in the order they arrived. */
  public static List<Notification> webhook(Receiver receiver) {
    return receiver.accepted().stream().map(Receiver.Request::json)
        .flatMap(n -> n.getJsonArray("alerts").stream().map(JsonObject.class::cast))
        .map(x -> new Notification(x.getString("key"), x.getString("status"), x.getString("severity")))
        .toList();
  }

  /** Firing notifications by alert key. */
  public static Map<String, Long> firings(List<Notification> notifications) {
    return firing(notifications).collect(Collectors.groupingBy(Notification::key, Collectors.counting()));
  }

  /** Firing notifications by alert key and severity ({@code "<key> <severity>"}): an escalation is sent anew. */
  public static Map<String, Long> firingsBySeverity(List<Notification> notifications) {
    return firing(notifications)
        .collect(Collectors.groupingBy(n -> n.key() + " " + n.severity(), Collectors.counting()));
  }

  /**
   * Keys (with severity) that were sent firing again while they were still firing, i.e. with no
   * resolve between: a duplicate page. A condition that cleared and came back is not one.
   */
  public static Set<String> repeatedFirings(List<Notification> notifications) {
    Set<String> open = new HashSet<>();
    Set<String> repeated = new HashSet<>();
    for (Notification n : notifications) {
      if (n.status().equals("firing")) {
        if (!open.add(n.key() + " " + n.severity())) {
          repeated.add(n.key() + " " + n.severity());
        }
      } else {
        open.removeIf(k -> k.startsWith(n.key() + " "));
      }
    }
    return repeated;
  }

  private static Stream<Notification> firing(List<Notification> notifications) {
    return notifications.stream().filter(n -> n.status().equals("firing"));
  }
}
