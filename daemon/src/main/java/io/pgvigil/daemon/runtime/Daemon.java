package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.http.ApiServer;
import io.pgvigil.daemon.metrics.Metrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.alerting.Alerting;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.windows.WindowRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: one {@link TargetMonitor} verticle per target, alert
 * delivery (when a sink is configured) and the HTTP server. Built in one place
 * from its parts (no singletons), started and stopped with futures. A target
 * that cannot be reached at startup does not stop the daemon: it is reported
 * down and retried.
 */
public final class Daemon {

  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  /**
   * @param apiToken the bearer token mutating endpoints require; without one they answer 403
   * @param readToken the bearer token the read API requires (the API token is accepted too);
   *     without one it is open
   * @param alerting alert delivery, when a sink is configured
   */
  public record Settings(String listenHost, int listenPort, Optional<SecretValue> apiToken,
      Optional<SecretValue> readToken, List<TargetSetup> targets, WindowRegistry windows,
      AbortLog aborts, Optional<Alerting> alerting) {

    public Settings(String listenHost, int listenPort, Optional<SecretValue> apiToken,
        List<TargetSetup> targets, WindowRegistry windows, AbortLog aborts) {
      this(listenHost, listenPort, apiToken, Optional.empty(), targets, windows, aborts, Optional.empty());
    }
  }

  private final Vertx vertx;
  private final Metrics metrics;
  private final Settings settings;
  private final Clock clock;
  // Read by the alerting's timer and the API while start() may still be adding.
  private final List<TargetMonitor> monitors = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private ApiServer api;
  private long expiry = -1;
  private int port;

  public Daemon(Vertx vertx, Metrics metrics, Settings settings, Clock clock) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.settings = settings;
    this.clock = clock;
  }

  /** Starts alert delivery first (so no verdict is missed), then the targets, then the API. */
  public Future<Daemon> start() {
    Future<Void> alerting = settings.alerting()
        .map(a -> a.start(vertx, this::statuses, settings.windows()))
        .orElse(Future.succeededFuture());
    return alerting.compose(started -> {
      List<Future<String>> deployed = new ArrayList<>();
      for (TargetSetup setup : settings.targets()) {
        TargetMonitor monitor = new TargetMonitor(setup, metrics.registry(), clock);
        monitors.add(monitor);
        deployed.add(vertx.deployVerticle(monitor, new DeploymentOptions())
            .onSuccess(deployments::add));
      }
      api = new ApiServer(vertx, metrics, this, settings.apiToken(), settings.readToken(), settings.windows(),
          settings.aborts(), settings.alerting());
      // A window that opens brings its faster polling at once, not after the interval under way.
      settings.windows().onOpen(target -> monitor(target).ifPresent(TargetMonitor::windowOpened));
      // Windows close on their TTL even when nobody asks.
      expiry = vertx.setPeriodic(1000, id -> settings.windows().expire());
      return Future.all(deployed);
    }).compose(v -> api.listen(settings.listenHost(), settings.listenPort())
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot start the HTTP server on "
            + settings.listenHost() + ":" + settings.listenPort() + ": "
            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e))))
        .map(bound -> {
          port = bound;
          LOG.info("pgvigil listening on http://{}:{} watching {} target(s)",
              settings.listenHost(), bound, settings.targets().size());
          return this;
        });
  }

  /**
   * Stops serving, then stops every target's loops and closes its pool, then alert delivery
   * (which spools what the targets decided last).
   */
  public Future<Void> stop() {
    if (expiry >= 0) {
      vertx.cancelTimer(expiry);
    }
    Future<Void> apiClosed = api == null ? Future.succeededFuture() : api.close();
    return apiClosed.recover(e -> Future.succeededFuture())
        .compose(v -> Future.join(deployments.stream().map(vertx::undeploy).toList()))
        .transform(v -> settings.alerting().map(Alerting::stop).orElse(Future.succeededFuture()))
        .mapEmpty();
  }

  public int port() {
    return port;
  }

  public WindowRegistry windows() {
    return settings.windows();
  }

  public Optional<TargetMonitor> monitor(String target) {
    return monitors.stream().filter(m -> m.name().equals(target)).findFirst();
  }

  public List<TargetStatus> statuses() {
    return monitors.stream().map(TargetMonitor::status).toList();
  }

  /** Ready once every target has had its first heartbeat, whatever it answered. */
  public boolean ready() {
    return !monitors.isEmpty() && monitors.stream().allMatch(m -> m.status().polled());
  }
}
