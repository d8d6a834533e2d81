package io.pgvigil.alerts;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The alert lifecycle. {@link #fire} and {@link #resolve} record what the daemon decided; {@link #tick} turns the
 * changes since the last tick into notifications: a new (or escalated) alert is sent, a firing one is sent again every
 * {@code repeatInterval}, a resolved one is sent once to the sinks that heard it fire. Alerts of one target sent in the
 * same tick go out as one notification to sinks that {@link Sink#groupsAlerts() group}. An alert that fires and
 * resolves between two ticks is never sent: it was a blip shorter than the tick. With {@code sendResolved} off,
 * resolved alerts leave {@link #firing()} but no notification is sent about them (some teams close incidents by hand);
 * Alertmanager then resolves them by itself at their {@code endsAt}.
 *
 * <p>Thread-safe: every method holds the engine's monitor; none blocks.
 */
public final class AlertEngine {

  private static final int RECENTLY_RESOLVED = 100;

  private final Clock clock;
  private final DeliveryQueue queue;
  private final List<Route> routes;
  private final Duration repeatInterval;
  private final boolean sendResolved;
  private final Map<String, Active> active = new LinkedHashMap<>();
  private final List<Active> resolvedSinceTick = new ArrayList<>();
  private final Deque<Alert> recentlyResolved = new ArrayDeque<>();
  private volatile BiPredicate<Alert, Instant> silenced = (alert, at) -> false;

  /** @param sendResolved whether a resolved alert is sent to the sinks that heard it fire */
  public AlertEngine(Clock clock, DeliveryQueue queue, List<Route> routes,
      Duration repeatInterval, boolean sendResolved) {
    this.clock = clock;
    this.queue = queue;
    this.routes = List.copyOf(routes);
    this.repeatInterval = repeatInterval;
    this.sendResolved = sendResolved;
    routes.forEach(r -> queue.sink(r.sink())); // fails fast on a route to an unknown sink
  }

  /**
   * Consulted whenever an alert is due to be sent (new, escalated, repeated): one it silences is not
   * sent and stays due, so it goes out once the silence lifts if it still fires. A silence changes
   * nothing else: the alert is decided and listed as ever, and an alert resolved before it was ever
   * sent is never sent (resolves go only to sinks that heard the alert fire).
   */
  public void silenceWhen(BiPredicate<Alert, Instant> silenced) {
    this.silenced = silenced;
  }

  /** Records a firing alert; a known key keeps its start time and is re-sent only on escalation. */
  public synchronized void fire(Alert alert) {
    Active current = active.get(alert.key());
    if (current == null) {
      active.put(alert.key(), new Active(alert));
      return;
    }
    if (alert.severity().compareTo(current.alert.severity()) < 0) {
      current.dirty = true; // more severe: CRITICAL sorts first
    }
    current.alert = current.alert.updatedFrom(alert);
  }

  /** Marks the alert with this key resolved now; unknown keys are ignored. */
  public synchronized void resolve(String key) {
    Active current = active.remove(key);
    if (current == null) {
      return;
    }
    current.alert = current.alert.resolvedAt(clock.instant());
    recentlyResolved.addFirst(current.alert);
    while (recentlyResolved.size() > RECENTLY_RESOLVED) {
      recentlyResolved.removeLast();
    }
    if (sendResolved && !current.sentTo.isEmpty()) {
      resolvedSinceTick.add(current);
    }
  }

  public synchronized Optional<Alert> get(String key) {
    return Optional.ofNullable(active.get(key)).map(a -> a.alert);
  }

  /** What fires now, for {@code GET /api/v1/alerts} and {@code pgvigil_alerts_firing}. */
  public synchronized List<Alert> firing() {
    return active.values().stream().map(a -> a.alert).sorted(Comparator.comparing(Alert::startsAt)).toList();
  }

  /** The last 100 resolved alerts, newest first. */
  public synchronized List<Alert> recentlyResolved() {
    return List.copyOf(recentlyResolved);
  }

  /** Sends what is due now; completes when those notifications are spooled. */
  public synchronized Future<Void> tick() {
    Instant now = clock.instant();
    // sink -> target -> alerts, in insertion order so notifications follow firing order
    Map<String, Map<String, List<Alert>>> out = new LinkedHashMap<>();
    resolvedSinceTick.forEach(a -> a.sentTo.forEach(sink -> add(out, sink, a.alert)));
    resolvedSinceTick.clear();
    for (Active a : active.values()) {
      if (!a.dirty && a.lastSent.plus(repeatInterval).isAfter(now)) {
        continue;
      }
      if (silenced.test(a.alert, now)) {
        continue; // still due: sent at the first tick after the silence lifts
      }
      for (Route r : routes) {
        if (r.matches(a.alert)) {
          add(out, r.sink(), a.alert);
          a.sentTo.add(r.sink());
        }
      }
      a.dirty = false;
      a.lastSent = now;
    }
    List<Future<?>> spooled = new ArrayList<>();
    out.forEach((sink, byTarget) -> {
      boolean groups = queue.sink(sink).groupsAlerts();
      byTarget.values().forEach(alerts -> {
        if (groups) {
          spooled.add(queue.enqueue(sink, alerts));
        } else {
          alerts.forEach(a -> spooled.add(queue.enqueue(sink, List.of(a))));
        }
      });
    });
    return Future.all(spooled).mapEmpty();
  }

  private static void add(Map<String, Map<String, List<Alert>>> out, String sink, Alert alert) {
    out.computeIfAbsent(sink, s -> new LinkedHashMap<>())
        .computeIfAbsent(alert.target(), t -> new ArrayList<>()).add(alert);
  }

  private static final class Active {
    Alert alert;
    boolean dirty = true;
    Instant lastSent = Instant.MIN;
    final Set<String> sentTo = new LinkedHashSet<>();

    Active(Alert alert) {
      this.alert = alert;
    }
  }
}
