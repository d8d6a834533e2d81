package io.pgvigil.alerts;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The alert lifecycle. {@link #fire} and {@link #resolve} record what the daemon decided; {@link #tick} turns the
 * changes since the last tick into notifications: a new (or escalated) alert is sent, a firing one is sent again every
 * {@code repeatInterval}, a resolved one is sent once to the sinks that heard it fire. Alerts of one target sent in the
 * same tick go out as one notification to sinks that {@link Sink#groupsAlerts() group}. An alert that fires and
 * resolves between two ticks is never sent: it was a blip shorter than the tick. With {@code sendResolved} off,
 * resolved alerts leave {@link #firing()} but no notification is sent about them (some teams close incidents by hand);
 * Alertmanager then resolves them by itself at their {@code endsAt}.
 *
 * <p>A target's firing alerts, with what was sent of them, can be {@link #state exported} and {@link #adopt adopted}
 * by another engine (after a restart, or on the instance that takes the target over), so that a condition still true
 * is not paged again as new and one that cleared meanwhile is resolved to the sinks that heard it fire.
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
  /** The sinks each of {@link #recentlyResolved} had been queued for while it fired. */
  private final Map<Alert, Set<String>> resolvedSentTo = new IdentityHashMap<>();
  private final List<Consumer<Alert>> listeners = new CopyOnWriteArrayList<>();
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
      changed(alert);
      return;
    }
    if (alert.severity().compareTo(current.alert.severity()) < 0) {
      current.dirty = true; // more severe: CRITICAL sorts first
    }
    boolean severity = alert.severity() != current.alert.severity();
    current.alert = current.alert.updatedFrom(alert);
    if (severity) {
      changed(current.alert);
    }
  }

  /** Marks the alert with this key resolved now; unknown keys are ignored. */
  public synchronized void resolve(String key) {
    Active current = active.remove(key);
    if (current == null) {
      return;
    }
    current.alert = current.alert.resolvedAt(clock.instant());
    recentlyResolved.addFirst(current.alert);
    resolvedSentTo.put(current.alert, current.sentTo);
    while (recentlyResolved.size() > RECENTLY_RESOLVED) {
      resolvedSentTo.remove(recentlyResolved.removeLast());
    }
    if (sendResolved && !current.sentTo.isEmpty()) {
      resolvedSinceTick.add(current);
    }
    changed(current.alert);
  }

  /**
   * Told, under the engine's monitor, of every alert whose state changed in a way worth keeping: it fired, changed
   * severity, was sent or resolved. Not of a new value of an alert that keeps firing.
   */
  public void onChange(Consumer<Alert> listener) {
    listeners.add(listener);
  }

  /**
   * The target's firing alerts by key, each with when it was last sent, the sinks that heard it and whether a send is
   * owed: what {@link #adopt} takes.
   */
  public synchronized JsonObject state(String target) {
    JsonObject out = new JsonObject();
    active.values().stream().filter(a -> a.alert.target().equals(target))
        .forEach(a -> out.put(a.alert.key(), AlertJson.state(a.alert, a.lastSent, a.sentTo, a.dirty)));
    return out;
  }

  /**
   * Takes over firing alerts another engine (or this one before a restart) {@link #state exported}: each keeps its
   * start time, the sinks that heard it and when it was last sent, so it repeats on the same schedule and resolves to
   * the same sinks. A key this engine already has keeps its own state.
   *
   * @return the alerts taken
   */
  public synchronized List<Alert> adopt(JsonObject state) {
    List<Alert> adopted = new ArrayList<>();
    state.forEach(e -> {
      JsonObject json = (JsonObject) e.getValue();
      Alert alert = AlertJson.alert(json.getJsonObject("alert"));
      if (!alert.isFiring() || active.containsKey(alert.key())) {
        return;
      }
      Active a = new Active(alert);
      String lastSent = json.getString("lastSent");
      a.lastSent = lastSent == null ? Instant.MIN : Instant.parse(lastSent);
      json.getJsonArray("sentTo", new JsonArray()).forEach(s -> a.sentTo.add((String) s));
      a.dirty = json.getBoolean("pending", false);
      active.put(alert.key(), a);
      adopted.add(alert);
    });
    return adopted;
  }

  /** Drops the target's firing alerts without resolving them: another instance alerts for it now. */
  public synchronized void forget(String target) {
    active.values().removeIf(a -> a.alert.target().equals(target));
  }

  /** Drops one firing alert without resolving it: another engine resolved it. */
  public synchronized void forgetKey(String key) {
    active.remove(key);
  }

  public synchronized Optional<Alert> get(String key) {
    return Optional.ofNullable(active.get(key)).map(a -> a.alert);
  }

  /** What fires now, for {@code GET /api/v1/alerts} and {@code pgvigil_alerts_firing}. */
  public synchronized List<Alert> firing() {
    return active.values().stream().map(a -> a.alert).sorted(Comparator.comparing(Alert::startsAt)).toList();
  }

  /**
   * The sinks an alert was queued for, by its routes: a firing one (by key) so far, one of {@link #recentlyResolved}
   * while it fired; empty when none or the alert is not known here. Queued, not delivered: a sink whose calls fail
   * is listed all the same (its failures are in {@code pgvigil_alert_notifications_total{result="failed"}} and the
   * log); the resolved alert goes to the same sinks.
   */
  public synchronized List<String> sentTo(Alert a) {
    Active current = active.get(a.key());
    Set<String> sinks = a.isFiring() ? (current == null ? null : current.sentTo) : resolvedSentTo.get(a);
    return sinks == null ? List.of() : List.copyOf(sinks);
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
      changed(a.alert);
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

  private void changed(Alert alert) {
    listeners.forEach(l -> l.accept(alert));
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
