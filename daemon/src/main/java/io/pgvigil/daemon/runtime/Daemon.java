package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.alerting.Alerting;
import io.pgvigil.daemon.config.ServerConfig;
import io.pgvigil.daemon.http.ApiServer;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.locks.LockWatchCheck;
import io.pgvigil.daemon.metrics.Metrics;
import io.pgvigil.daemon.watch.Failures;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: one {@code TargetMonitor} verticle per target, alerting and the HTTP
 * server. A target that cannot be reached at startup does not stop the daemon: it is reported
 * down and retried.
 */
public final class Daemon {

  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  record Settings(ServerConfig server, Targets targets, WindowRegistry windows, AbortLog aborts,
      Alerting alerting) {}

  private final Vertx vertx;
  private final Metrics metrics;
  private final Settings settings;
  private final List<String> deployments = new ArrayList<>();
  private ApiServer api;
  private long expiry = -1;
  private int port;

  Daemon(Vertx vertx, Metrics metrics, Settings settings) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.settings = settings;
  }

  /** Starts alert delivery first (so no verdict is missed), then the targets, then the API. */
  Future<Daemon> start() {
    Targets targets = settings.targets();
    ServerConfig server = settings.server();
    return settings.alerting().start(vertx, settings.windows()).compose(started -> {
      List<Future<String>> deployed = targets.all().stream()
          .map(t -> vertx.deployVerticle(t.monitor()).onSuccess(deployments::add)).toList();
      api = new ApiServer(vertx, metrics, targets, server.apiToken(), server.readToken(),
          settings.windows(), settings.aborts(), settings.alerting());
      // A window that opens brings its faster polling at once, not after the interval under way
      // (a target that is down or not started yet ignores it).
      settings.windows().onOpen(target -> targets.find(target)
          .ifPresent(t -> t.monitor().runNow(LockWatchCheck.NAME)));
      // Windows close on their TTL even when nobody asks.
      expiry = vertx.setPeriodic(1000, id -> settings.windows().expire());
      return Future.all(deployed);
    }).compose(v -> api.listen(server.listenHost(), server.listenPort())
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot start the HTTP server on "
            + server.listenHost() + ":" + server.listenPort() + ": " + Failures.message(e), e))))
        .map(bound -> {
          port = bound;
          LOG.info("pgvigil listening on http://{}:{} watching {} target(s)",
              server.listenHost(), bound, targets.all().size());
          return this;
        });
  }

  /** Stops serving, then every target (loops and pool), then alert delivery (which spools the rest). */
  Future<Void> stop() {
    if (expiry >= 0) {
      vertx.cancelTimer(expiry);
    }
    Future<Void> apiClosed = api == null ? Future.succeededFuture() : api.close();
    return apiClosed.recover(e -> Future.succeededFuture())
        .compose(v -> Future.join(deployments.stream().map(vertx::undeploy).toList()))
        .transform(v -> settings.alerting().stop())
        .mapEmpty();
  }

  public int port() {
    return port;
  }

  public WindowRegistry windows() {
    return settings.windows();
  }

  public Targets targets() {
    return settings.targets();
  }
}
