package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.alerting.Alerting;
import io.pgvigil.daemon.alerting.Signal;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.metrics.Metrics;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A daemon with its own Vert.x and metrics, started and stopped from blocking code (commands, tests). */
public final class RunningDaemon implements AutoCloseable {

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Metrics metrics;
  private final Daemon daemon;

  private RunningDaemon(Vertx vertx, Metrics metrics, Daemon daemon) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.daemon = daemon;
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
    Metrics metrics = new Metrics();
    Daemon.Settings settings = settings(config, storage, metrics, maxBackoff, clock);
    // pgvigil serves no files: without this Vert.x would create a file cache in java.io.tmpdir.
    Vertx vertx = Vertx.vertx(new VertxOptions().setFileSystemOptions(
        new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    Daemon daemon = new Daemon(vertx, metrics, settings);
    Promise<Boolean> outcome = Promise.promise();
    daemon.start().onSuccess(d -> outcome.tryComplete(true)).onFailure(outcome::tryFail);
    stop.onComplete(ar -> outcome.tryComplete(false));
    boolean started;
    try {
      started = outcome.future().await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close().await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      metrics.close();
      throw new IllegalStateException(e.getMessage() == null
          ? "cannot start: " + e.getClass().getSimpleName() : e.getMessage(), e);
    }
    RunningDaemon running = new RunningDaemon(vertx, metrics, daemon);
    if (!started) {
      // Stopped while starting: stop what did start (the alerting spools what it decided).
      running.close();
      return Optional.empty();
    }
    return Optional.of(running);
  }

  /** What the config builds before anything starts; alerting receives every signal. */
  private static Daemon.Settings settings(PgvigilConfig config, ShadowSettings.Storage storage,
      Metrics metrics, Duration maxBackoff, Clock clock) {
    WindowRegistry windows = new WindowRegistry(clock);
    AbortLog aborts = new AbortLog(metrics.registry());
    Alerting alerting = new Alerting(config.alerts(),
        config.targets().stream().map(TargetConfig::name).toList(), storage.alertSpool(),
        metrics.registry(), clock);
    aborts.onDecision(d -> alerting.accept(new Signal.KillSwitch(d)));
    Targets targets = new Targets(config.targets().stream().map(target -> TargetSetups.from(target,
        config, storage, windows, aborts, alerting::accept, metrics.registry(), maxBackoff, clock)).toList());
    return new Daemon.Settings(config.server(), targets, windows, aborts, alerting);
  }

  public Daemon daemon() {
    return daemon;
  }

  public int port() {
    return daemon.port();
  }

  @Override
  public void close() throws Exception {
    try {
      daemon.stop().await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } finally {
      vertx.close().await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      metrics.close();
    }
  }
}
