package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.alerting.Alerting;
import io.pgvigil.daemon.alerting.Signal;
import io.pgvigil.daemon.alerting.Silences;
import io.pgvigil.daemon.cluster.Cluster;
import io.pgvigil.daemon.cluster.OwnerDirectory;
import io.pgvigil.daemon.cluster.SharedMap;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.ServerConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.http.ApiServer;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.locks.LockWatchCheck;
import io.pgvigil.daemon.metrics.Metrics;
import io.pgvigil.daemon.watch.Failures;
import io.pgvigil.daemon.watch.Owners;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon, with its own Vert.x and metrics, started and stopped from blocking code
 * (commands, tests): one {@code TargetMonitor} verticle per target, alerting and the HTTP server.
 * A target that cannot be reached at startup does not stop the daemon: it is reported down and
 * retried.
 */
public final class RunningDaemon implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RunningDaemon.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  /** Hazelcast takes 2–20 s to start on a busy node. */
  private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(90);

  private final Cluster cluster;
  private final Vertx vertx;
  private final Metrics metrics;
  private final ServerConfig server;
  private final Targets targets;
  private final WindowRegistry windows;
  private final AbortLog aborts;
  private final Alerting alerting;
  private final Silences silences;
  private final List<String> deployments = new ArrayList<>();
  private final List<SharedMap> shared;
  private final List<ServerFleet> fleets;
  private ApiServer api;
  private long expiry = -1;
  private int port;
  private boolean closed;

  private RunningDaemon(Cluster cluster, Metrics metrics, ServerConfig server, Targets targets,
      WindowRegistry windows, AbortLog aborts, Alerting alerting, Silences silences,
      List<SharedMap> shared, List<ServerFleet> fleets) {
    this.cluster = cluster;
    this.fleets = fleets;
    this.vertx = cluster.vertx();
    this.shared = shared;
    this.metrics = metrics;
    this.server = server;
    this.targets = targets;
    this.windows = windows;
    this.aborts = aborts;
    this.alerting = alerting;
    this.silences = silences;
  }

  /** Builds the daemon the config describes, starts it and waits until it listens. */
  public static RunningDaemon start(PgvigilConfig config, ShadowSettings.Storage storage,
      Duration maxBackoff, Clock clock) throws Exception {
    return start(config, storage, maxBackoff, clock, Promise.promise().future()).orElseThrow();
  }

  /** As above; empty, what started stopped again, when {@code stop} completes first (SIGTERM). */
  public static Optional<RunningDaemon> start(PgvigilConfig config,
      ShadowSettings.Storage storage, Duration maxBackoff, Clock clock, Future<?> stop)
      throws Exception {
    if (stop.isComplete()) {
      return Optional.empty();
    }
    // pgvigil serves no files: without this Vert.x would create a file cache in java.io.tmpdir.
    VertxOptions options = new VertxOptions().setFileSystemOptions(
        new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false));
    ServerConfig server = config.server();
    String instance = server.instance().orElseGet(Cluster::defaultInstance);
    Cluster cluster;
    try {
      cluster = Cluster.start(server.cluster(), instance, options)
          .await(CLUSTER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot join the cluster " + server.cluster().name() + ": "
          + Failures.message(e), e);
    }
    Metrics metrics = new Metrics();
    RunningDaemon running;
    try {
      // What instances share; kept in the data directory too, for a restart without peers.
      Function<String, SharedMap> map = name -> cluster.map(name,
          Optional.of(storage.state().resolve(name + ".json")), clock, metrics.registry());
      SharedMap windowMap = map.apply("windows");
      SharedMap ownerMap = map.apply("owners");
      SharedMap alertMap = map.apply("alerts");
      SharedMap abortMap = map.apply("aborts");
      SharedMap silenceMap = map.apply("silences");
      OwnerDirectory directory = new OwnerDirectory(cluster, ownerMap, clock);
      // What the config builds before anything starts; alerting receives every signal.
      WindowRegistry windows = new WindowRegistry(clock, metrics.registry());
      AbortLog aborts = new AbortLog(metrics.registry());
      Alerting alerting = new Alerting(config.alerts(),
          config.targets().stream().map(TargetConfig::name).toList(), storage.alertSpool(),
          metrics.registry(), clock, target -> directory.speaksFor(target, false),
          kind -> config.rules().longestFor(kind).plusSeconds(1));
      aborts.onDecision(d -> alerting.accept(new Signal.KillSwitch(d)));
      Silences silences = new Silences(silenceMap, clock);
      alerting.silenceWhen(silences::silences);
      Owners owners = new Owners(config.targets().size(), cluster::members, windows::active, directory::vacated,
          clock);
      Targets targets = new Targets(config.targets().stream().map(target -> TargetSetups.from(target,
          config, storage, windows, aborts, alerting::accept, metrics.registry(), maxBackoff, clock, owners,
          directory)).toList(), directory::owner);
      List<ServerFleet> fleets = ServerFleets.of(config, storage, windows, aborts, alerting, metrics.registry(),
          maxBackoff, clock, owners, directory, targets);
      windows.share(windowMap);
      alerting.share(alertMap);
      aborts.share(abortMap);
      running = new RunningDaemon(cluster, metrics, server, targets, windows, aborts, alerting,
          silences, List.of(windowMap, ownerMap, alertMap, silenceMap, abortMap), fleets);
    } catch (RuntimeException e) {
      cluster.close().await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      metrics.close();
      throw e;
    }
    Promise<Boolean> outcome = Promise.promise();
    running.start().onSuccess(d -> outcome.tryComplete(true)).onFailure(outcome::tryFail);
    stop.onComplete(ar -> outcome.tryComplete(false));
    boolean started;
    try {
      started = outcome.future().await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      cluster.close().await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      metrics.close();
      throw new IllegalStateException(e.getMessage() == null
          ? "cannot start: " + e.getClass().getSimpleName() : e.getMessage(), e);
    }
    if (!started) {
      // Stopped while starting: stop what did start (the alerting spools what it decided).
      running.close();
      return Optional.empty();
    }
    return Optional.of(running);
  }

  /** Starts alert delivery first (so no verdict is missed), then the targets, then the API. */
  private Future<Void> start() {
    return Future.all(shared.stream().map(SharedMap::start).toList())
        .compose(loaded -> alerting.start(vertx, windows)).compose(started -> {
          List<Future<String>> deployed = targets.all().stream()
              .map(t -> vertx.deployVerticle(t.monitor()).onSuccess(deployments::add)).collect(Collectors.toList());
          // A server-level target lists its databases before the API listens: each is polled within seconds.
          fleets.forEach(f -> deployed.add(vertx.deployVerticle(f).onSuccess(deployments::add)));
          api = new ApiServer(vertx, metrics, targets, server.apiToken(), server.readToken(), windows,
              aborts, alerting, silences);
          // A window that opens brings its faster polling at once, not after the interval under way
          // (a target that is down or not started yet ignores it).
          windows.onOpen(target -> targets.find(target)
              .ifPresent(t -> t.monitor().runNow(LockWatchCheck.NAME)));
          // Windows close on their TTL even when nobody asks; silences that ended a day ago go.
          expiry = vertx.setPeriodic(1000, id -> {
            windows.expire();
            silences.prune();
          });
          return Future.all(deployed);
        }).compose(v -> api.listen(server.listenHost(), server.listenPort())
            .recover(e -> Future.failedFuture(new IllegalStateException("cannot start the HTTP server on "
                + server.listenHost() + ":" + server.listenPort() + ": " + Failures.message(e), e))))
        .map(bound -> {
          port = bound;
          LOG.info("pgvigil listening on http://{}:{} watching {} target(s)",
              server.listenHost(), bound, targets.all().size());
          return null;
        });
  }

  /** Stops serving, then every target (loops and pool), then alert delivery (which spools the rest). */
  private Future<Void> stop() {
    if (expiry >= 0) {
      vertx.cancelTimer(expiry);
    }
    Future<Void> apiClosed = api == null ? Future.succeededFuture() : api.close();
    return apiClosed.recover(e -> Future.succeededFuture())
        .compose(v -> Future.join(deployments.stream().map(vertx::undeploy).toList()))
        .transform(v -> alerting.stop())
        .transform(v -> Future.join(shared.stream().map(SharedMap::close).toList()))
        .mapEmpty();
  }

  public int port() {
    return port;
  }

  public WindowRegistry windows() {
    return windows;
  }

  public Targets targets() {
    return targets;
  }

  @Override
  public synchronized void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stop().await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      // Leaving a cluster hands this member's share of the maps to the others first.
      cluster.close().await(CLUSTER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      metrics.close();
    }
  }
}
