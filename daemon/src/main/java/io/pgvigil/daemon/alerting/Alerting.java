package io.pgvigil.daemon.alerting;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.AlertEngine;
import io.pgvigil.alerts.Backoff;
import io.pgvigil.alerts.DeliveryQueue;
import io.pgvigil.alerts.Spool;
import io.pgvigil.daemon.config.AlertsConfig;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every {@link Signal} into alerts, owns the {@link AlertEngine} (firing, repeats, resolves)
 * and the {@link DeliveryQueue} (retries, the on-disk spool). Started before the targets and
 * stopped after them; {@link #stop} spools one last tick so nothing decided is lost (the next start
 * resends it). Without sinks alerts are still decided, logged, listed and counted, never sent.
 */
public final class Alerting {

  private static final Logger LOG = LoggerFactory.getLogger(Alerting.class);
  /** How often due notifications are handed to the queue: repeats, resolves, grouped bursts. */
  static final Duration TICK = Duration.ofMillis(500);
  static final Duration QUEUE_POLL = Duration.ofMillis(250);

  private final AlertsConfig config;
  private final Path spoolDir;
  private final Clock clock;
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

  public Alerting(AlertsConfig config, List<String> targets, Path defaultSpool, MeterRegistry registry, Clock clock) {
    this.config = config;
    this.spoolDir = config.spool().directory().orElse(defaultSpool);
    this.clock = clock;
    this.verdicts = new VerdictAlerts(this, config.queryText());
    List<String> rules = new ArrayList<>(RuleKind.NAMES);
    rules.addAll(List.of(DriftAlerts.HISTORY, DriftAlerts.SCHEMA, KillSwitchAlerts.RULE, TargetDownAlerts.RULE));
    this.metrics = new AlertMetrics(registry, config.sinkNames(), targets, rules);
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
            engine = new AlertEngine(clock, q, sinks.routes(), config.repeatInterval(), config.resolve());
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
    }
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

  public List<Alert> firing() {
    AlertEngine e = engine;
    return e == null ? List.of() : e.firing();
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
    down.tick(clock.instant());
    killSwitch.resolveClosed(windows, e.firing());
    metrics.firing(e.firing());
    send(e);
  }

  private static void send(AlertEngine e) {
    e.tick().onFailure(err -> LOG.error("alert notifications could not be spooled: {}", err.getMessage()));
  }
}
