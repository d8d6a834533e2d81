package io.pgvigil.daemon.alerting;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.AlertEngine;
import io.pgvigil.alerts.AlertJson;
import io.pgvigil.alerts.Backoff;
import io.pgvigil.alerts.DeliveryQueue;
import io.pgvigil.alerts.Spool;
import io.pgvigil.daemon.cluster.SharedMap;
import io.pgvigil.daemon.config.AlertsConfig;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every {@link Signal} into alerts, owns the {@link AlertEngine} (firing, repeats, resolves)
 * and the {@link DeliveryQueue} (retries, the on-disk spool). Started before the targets and
 * stopped after them; {@link #stop} spools one last tick so nothing decided is lost (the next start
 * resends it). Without sinks alerts are still decided, logged, listed and counted, never sent.
 *
 * <p>Once {@link #share shared}, each target's firing alerts (with what was sent of them) are kept in the cluster's
 * map: the instance that takes the target, or this one after a restart, adopts them, so a condition still true is not
 * paged again as new and one that cleared meanwhile is resolved.
 */
public final class Alerting {

  private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);
  /** How often due notifications are handed to the queue: repeats, resolves, grouped bursts. */
  static final Duration TICK = Duration.ofMillis(500);
  static final Duration QUEUE_POLL = Duration.ofMillis(250);

  private final AlertsConfig config;
  private final Path spoolDir;
  private final Clock clock;
  private final Predicate<String> speaksFor;
  private final AlertMetrics metrics;
  private final VerdictAlerts verdicts;
  private final KillSwitchAlerts killSwitch = new KillSwitchAlerts(this);
  private final TargetDownAlerts down = new TargetDownAlerts(this);

  private volatile AlertEngine engine;
  private DeliveryQueue queue;
  private WebClient client;
  private Vertx vertx;
  private long timer = -1;
  private final AtomicBoolean sendScheduled = new AtomicBoolean();
  private WindowRegistry windows;
  private volatile SharedMap states;
  private BiPredicate<Alert, Instant> silenced = (alert, at) -> false;

  /**
   * @param speaksFor whether this instance tells about a target that is down (nobody owns it
   *     then): one instance does, so a target-down alert is sent once, not once per instance
   * @param adoptedHold how long an alert taken over from another instance outlives its verdict's
   *     absence: its rule's {@code for}, which starts over on the new owner, and a little more
   */
  public Alerting(AlertsConfig config, List<String> targets, Path defaultSpool, MeterRegistry registry,
      Clock clock, Predicate<String> speaksFor, Function<RuleKind, Duration> adoptedHold) {
    this.speaksFor = speaksFor;
    this.config = config;
    this.spoolDir = config.spool().directory().orElse(defaultSpool);
    this.clock = clock;
    this.verdicts = new VerdictAlerts(this, config.queryText(), adoptedHold, clock);
    List<String> rules = new ArrayList<>(RuleKind.NAMES);
    rules.addAll(List.of(DriftAlerts.HISTORY, DriftAlerts.SCHEMA, KillSwitchAlerts.RULE, TargetDownAlerts.RULE));
    this.metrics = new AlertMetrics(registry, config.sinkNames(), targets, rules);
  }

  /**
   * Keeps each target's firing alerts in {@code map}, keyed by target, whenever they change (fired, escalated,
   * sent, resolved); a target this instance takes adopts what the map holds of it.
   */
  public void share(SharedMap map) {
    states = map;
  }

  /** What holds back sending (the silences); set before {@link #start}. */
  public synchronized void silenceWhen(BiPredicate<Alert, Instant> silenced) {
    this.silenced = silenced;
  }

  /** @param windows the migration windows (a kill-switch alert resolves when its window closes) */
  public synchronized Future<Void> start(Vertx vertx, WindowRegistry windows) {
    this.vertx = vertx;
    this.windows = windows;
    client = WebClient.create(vertx, new WebClientOptions().setUserAgent("pgvigil").setFollowRedirects(false));
    AlertSinks sinks = AlertSinks.of(config, client, clock);
    DeliveryQueue q = new DeliveryQueue(vertx, clock, new Spool(spoolDir, config.spool().maxPerSink()),
        sinks.sinks(), Backoff.standard(new SecureRandom()), metrics);
    metrics.spool(q);
    return q.start(QUEUE_POLL)
        .recover(e -> Future.failedFuture(new IllegalStateException("the alert spool " + spoolDir
            + " cannot be used (" + e.getClass().getSimpleName() + ": " + e.getMessage()
            + "); set alerts.spool.directory or PGVIGIL_DATA_DIR to a writable directory", e)))
        .map(v -> {
          synchronized (this) {
            queue = q;
            AlertEngine e = new AlertEngine(clock, q, sinks.routes(), config.repeatInterval(), config.resolve());
            e.onChange(changed -> keep(e, changed));
            e.silenceWhen(silenced);
            engine = e;
            timer = vertx.setPeriodic(TICK.toMillis(), id -> tick());
          }
          if (config.anySink()) {
            LOG.info("alerts go to {} (repeated every {}, spool {})", String.join(", ", config.sinkNames()),
                config.repeatInterval(), spoolDir);
          } else {
            LOG.info("no alert sinks configured: alerts are logged and listed by GET /api/v1/alerts only");
          }
          return null;
        });
  }

  public synchronized Future<Void> stop() {
    if (engine == null) {
      return Future.succeededFuture();
    }
    vertx.cancelTimer(timer);
    AlertEngine last = engine;
    engine = null;
    return last.tick()
        .recover(e -> {
          LOG.error("alerts decided before the stop could not be spooled: {}", e.getMessage());
          return Future.succeededFuture();
        })
        .compose(v -> queue.close())
        .eventually(() -> {
          client.close();
          return Future.succeededFuture();
        });
  }

  /** Called on the producer's thread, does not block. */
  public void accept(Signal signal) {
    if (signal instanceof Signal.Verdicts v) {
      verdicts.evaluated(v);
    } else if (signal instanceof Signal.Drift d) {
      DriftAlerts.update(this, d.report());
    } else if (signal instanceof Signal.KillSwitch k) {
      killSwitch.decided(k.decision());
    } else if (signal instanceof Signal.Reachability r) {
      down.changed(r);
    } else if (signal instanceof Signal.Ownership o) {
      LOG.debug("target {}: {}", o.target(), o.owned() ? "owned here" : "owned elsewhere");
      if (o.owned()) {
        adopt(o.target());
      } else {
        forget(o.target());
      }
    }
  }

  /**
   * Writes the target's record: this engine's alerts of it over what the record held. An alert this instance
   * forgot (it lost the target, e.g. when the target went down) stays in the record for whoever alerts for the
   * target next, who resolves it if its condition has cleared.
   */
  private void keep(AlertEngine e, Alert changed) {
    SharedMap map = states;
    if (map == null) {
      return;
    }
    String target = changed.target();
    JsonObject record = map.get(target).map(JsonObject::copy).orElseGet(JsonObject::new);
    record.remove(changed.key());
    record.mergeIn(e.state(target));
    if (record.isEmpty()) {
      map.remove(target);
    } else {
      map.put(target, record);
    }
  }

  /**
   * Takes the target's alerts from the shared record, and primes the memories that resolve them: an adopted
   * alert whose condition has cleared resolves at the next evaluation that no longer has it, as if this instance
   * had fired it.
   */
  private void adopt(String target) {
    AlertEngine e = engine;
    SharedMap map = states;
    if (e == null || map == null) {
      return;
    }
    Optional<JsonObject> record = map.get(target);
    if (record.isEmpty()) {
      return;
    }
    List<Alert> adopted = e.adopt(record.get());
    if (adopted.isEmpty()) {
      return;
    }
    LOG.info("target {}: firing alerts taken over: {}", target,
        String.join(", ", adopted.stream().map(Alert::key).toList()));
    verdicts.adopted(adopted);
    killSwitch.adopted(adopted);
    down.adopted(target, adopted);
  }

  /**
   * The target's database went away (a server-level target no longer lists it): what fires of it resolves, as
   * its conditions have ended with the database, and nothing of it is remembered, as if the config had never
   * had it. The resolve empties its shared record, so no instance adopts it later.
   */
  public void retire(String target) {
    AlertEngine e = engine;
    if (e != null) {
      e.firing().stream().filter(a -> a.target().equals(target)).forEach(a -> resolve(a.key()));
    }
    down.forget(target);
    verdicts.forget(target);
    killSwitch.forget(target);
    metrics.retire(target);
  }

  /** Another instance alerts for the target now: its alerts leave this one without a resolve. */
  private void forget(String target) {
    AlertEngine e = engine;
    if (e != null) {
      e.forget(target);
    }
    verdicts.forget(target);
    killSwitch.forget(target);
  }

  /**
   * A new or escalated alert is sent at once, not at the next tick: a kill-switch action or an
   * abort level may last less than a tick (the cancel ends the stall it was about), and it must
   * still reach the people paged. Blips are the rules' business ({@code for}), not the tick's.
   */
  void fire(Alert alert) {
    AlertEngine e = engine;
    if (e == null) {
      return; // not started or stopped: the daemon's targets do not run then
    }
    Optional<Alert> current = e.get(alert.key());
    if (current.isEmpty()) {
      LOG.info("alert firing: {} ({}): {}", alert.key(), alert.severity().wireName(), alert.summary());
    }
    e.fire(alert);
    if (current.isEmpty() || alert.severity().compareTo(current.get().severity()) < 0) {
      sendSoon();
    }
  }

  /** One tick of the engine after the caller's handler: what it fired in one go is grouped. */
  private void sendSoon() {
    if (sendScheduled.compareAndSet(false, true)) {
      vertx.runOnContext(v -> {
        sendScheduled.set(false);
        AlertEngine e = engine;
        if (e != null) {
          send(e);
        }
      });
    }
  }

  void resolve(String key) {
    AlertEngine e = engine;
    if (e != null && e.get(key).isPresent()) {
      LOG.info("alert resolved: {}", key);
      e.resolve(key);
    }
  }

  /**
   * Whether another instance resolved this alert: this engine has it firing, the target's shared record no longer
   * lists it (only a resolve takes an alert out of the record). Never, alone.
   */
  boolean resolvedElsewhere(String target, String key) {
    AlertEngine e = engine;
    SharedMap map = states;
    return e != null && map != null && e.get(key).isPresent()
        && map.get(target).map(record -> !record.containsKey(key)).orElse(false);
  }

  /** Drops an alert another instance resolved: its resolve was sent there, not again from here. */
  void forgetResolved(String key) {
    AlertEngine e = engine;
    if (e != null && e.get(key).isPresent()) {
      LOG.info("alert resolved by another instance: {}", key);
      e.forgetKey(key);
    }
  }

  /**
   * What fires now: this instance's alerts, and (in a cluster) those of targets other instances
   * alert for, from the shared records, so any instance answers for every target.
   */
  public List<Alert> firing() {
    AlertEngine e = engine;
    List<Alert> firing = new ArrayList<>(e == null ? List.of() : e.firing());
    SharedMap map = states;
    if (map != null) {
      Set<String> known = firing.stream().map(Alert::key).collect(Collectors.toSet());
      map.values().values().forEach(record -> record.forEach(entry -> {
        Alert alert = AlertJson.alert(((JsonObject) entry.getValue()).getJsonObject("alert"));
        if (alert.isFiring() && known.add(alert.key())) {
          firing.add(alert);
        }
      }));
      firing.sort(Comparator.comparing(Alert::startsAt));
    }
    return firing;
  }

  /**
   * The sinks an alert was queued for (not whether they took it: see {@link AlertEngine#sentTo}): this instance's engine for its own alerts, the shared record for a firing alert
   * another instance sends.
   */
  public List<String> sentTo(Alert a) {
    AlertEngine e = engine;
    List<String> local = e == null ? List.of() : e.sentTo(a);
    SharedMap map = states;
    if (!local.isEmpty() || map == null || !a.isFiring()) {
      return local;
    }
    List<String> shared = new ArrayList<>();
    map.values().values().forEach(record -> record.forEach(entry -> {
      JsonObject state = (JsonObject) entry.getValue();
      if (shared.isEmpty() && a.key().equals(state.getJsonObject("alert").getString("key"))) {
        state.getJsonArray("sentTo", new JsonArray()).forEach(sink -> shared.add((String) sink));
      }
    }));
    return shared;
  }

  public List<Alert> recentlyResolved() {
    AlertEngine e = engine;
    return e == null ? List.of() : e.recentlyResolved();
  }

  public List<String> sinks() {
    return config.sinkNames();
  }

  /** What the periodic timer does; tests may call it to skip the wait. */
  void tick() {
    AlertEngine e = engine;
    if (e == null) {
      return;
    }
    down.tick(clock.instant(), speaksFor);
    killSwitch.resolveClosed(windows, e.firing());
    metrics.firing(e.firing());
    send(e);
  }

  private static void send(AlertEngine e) {
    e.tick().onFailure(err -> LOG.error("alert notifications could not be spooled: {}", err.getMessage()));
  }
}
