package io.pgvigil.daemon.watch;

import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;
import static io.pgvigil.daemon.metrics.MeterNames.UP;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.server.ServerInfo;
import io.pgvigil.checks.server.ServerProbe;
import io.pgvigil.daemon.tls.VertxTls;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one target on its own event loop: a heartbeat ({@link ServerProbe}) decides whether the
 * target is up, and the checks run only while it is; while it is down the heartbeat backs off as
 * {@link Reconnect} says. One target's failures never touch another's loops: each target is its
 * own verticle with its own pool.
 */
public final class TargetMonitor extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(TargetMonitor.class);
  static final String HEARTBEAT = "server";
  /**
   * One monitoring connection per target, beside the ownership lock's: the periodic checks
   * (locks, invalid indexes, migrations, replication's primary view) and the heartbeat's probe
   * (an owner confirms its lock beside it, on the lock session)
   * take turns on it, each a query of a few milliseconds. A drift run opens its own short-lived
   * connections (DriftCheck), so a snapshot of seconds never holds it. The kill switch's signals go
   * on a connection of their own, opened when it acts and closed once idle ({@link #SIGNALS_IDLE});
   * a fleet of targets costs two connections each at rest.
   */
  private static final int POOL_SIZE = 1;
  /**
   * Every check has at most one run in flight, but a run that timed out on a wedged query leaves
   * its request queued: the bound (and the pool's connection timeout) keeps those from piling up.
   */
  private static final int MAX_WAITING = 16;
  /**
   * The kill switch's connection closes after this long unused: opened by its first signal, it is
   * gone again soon after the abort, so a target at rest still holds two connections.
   */
  private static final Duration SIGNALS_IDLE = Duration.ofSeconds(10);
  /** How often the dead-man switch looks at the time since the last lock poll. */
  private static final Duration TICK = Duration.ofMillis(250);

  private final TargetSpec spec;
  private final List<TargetCheck> checks;
  private final Function<Vertx, Future<Void>> tick;
  private final MeterRegistry registry;
  private final Clock clock;
  private final ServerProbe probe = new ServerProbe();
  private final Reachability reachability;
  private final Map<String, CheckLoop> loops = new LinkedHashMap<>();
  private Pool pool;
  private Pool signals;

  private volatile boolean up;
  private volatile boolean polled;
  private volatile Instant since;
  private volatile ServerInfo server;
  private Reconnect reconnect;
  private long tickTimer = -1;
  private final Ownership ownership;
  private final Owners owners;
  private final Owned owned;
  private Boolean ownedBefore;
  /** Counts heartbeats: only the latest may change up/down or ownership (see #beat). */
  private long beats;
  /** Set first by {@link #stop}: a heartbeat or tick still under way then tells no one anything. */
  private volatile boolean stopping;

  /** Told of the first heartbeat's outcome, then of every change between up and down; must not block. */
  public interface Reachability {
    void changed(String target, boolean up, Instant since);
  }

  /** Told whenever this instance starts or stops owning the target; must not block. */
  public interface Owned {
    void changed(String target, boolean owned);

    /** Told after every heartbeat that confirmed this instance still owns the target; must not block. */
    default void held(String target) {}
  }

  /** @param tick run every {@link #TICK}, up or down: the dead-man switch ticks while no check runs */
  public TargetMonitor(TargetSpec spec, List<TargetCheck> checks, Function<Vertx, Future<Void>> tick,
      MeterRegistry registry, Clock clock, Reachability reachability, Ownership ownership,
      Owners owners, Owned owned) {
    this.spec = spec;
    this.ownership = ownership;
    this.owners = owners;
    this.owned = owned;
    this.checks = List.copyOf(checks);
    this.tick = tick;
    this.reachability = reachability;
    this.registry = registry;
    this.clock = clock;
    this.since = clock.instant();
    Gauge.builder(UP, this, m -> m.up ? 1 : 0)
        .description("1 when the target answered its last heartbeat, 0 when it did not")
        .tags(TAG_TARGET, spec.name()).register(registry);
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool()
        .with(new PoolOptions()
            .setMaxSize(POOL_SIZE)
            .setMaxWaitQueueSize(MAX_WAITING)
            .setName("pgvigil-" + spec.name())
            .setConnectionTimeout((int) spec.connectTimeout().toMillis())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout((int) spec.connectTimeout().toMillis()))
        .connectingTo(spec.connect()).using(vertx).build();
    // The kill switch's cancels and terminates go on a connection of their own: behind the polls on
    // the monitoring connection (a window's pileup leaves timed-out polls queued there) a cancel
    // could be refused or time out, just when it matters. The pool connects at its first use only.
    signals = PgBuilder.pool()
        .with(new PoolOptions()
            .setMaxSize(1)
            .setMaxWaitQueueSize(MAX_WAITING)
            .setName("pgvigil-" + spec.name() + "-signals")
            .setIdleTimeout((int) SIGNALS_IDLE.toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setConnectionTimeout((int) spec.connectTimeout().toMillis())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout((int) spec.connectTimeout().toMillis()))
        .connectingTo(spec.connect()).using(vertx).build();
    reconnect = new Reconnect(spec.interval(), spec.maxBackoff());
    // A run may have to connect first, then wait for its query.
    Duration timeout = spec.queryTimeout().plus(spec.connectTimeout());
    loops.put(HEARTBEAT, new CheckLoop(vertx, spec.name(), HEARTBEAT, this::beat,
        this::heartbeatInterval, timeout, () -> true, registry, clock).quiet());
    TargetCheck.Context checkContext = new TargetCheck.Context(vertx, pool, signals, spec.connect());
    for (TargetCheck check : checks) {
      loops.put(check.name(), new CheckLoop(vertx, spec.name(), check.name(),
          () -> check.run(checkContext), check::interval, check.timeout(), this::acting, registry,
          clock));
    }
    loops.values().forEach(CheckLoop::start);
    tickTimer = vertx.setPeriodic(TICK.toMillis(), id -> {
      if (stopping) {
        return;
      }
      // An owner whose confirmation is overdue (a heartbeat stuck on a cut-off network) says so at
      // once: Ownership#owned already stopped its checks, this tells alerting and the cluster.
      if (ownership.lapsed()) {
        ownedNow(false);
      }
      tick.apply(vertx)
          .onFailure(e -> LOG.warn("target {}: kill-switch tick failed: {}", spec.name(), e.toString()));
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (tickTimer != -1) {
      vertx.cancelTimer(tickTimer);
    }
    loops.values().forEach(CheckLoop::stop);
    Future<?> checksClosed = Future.join(checks.stream().map(TargetCheck::close).toList());
    return checksClosed.transform(v -> ownership.close())
        .transform(v -> pool == null ? Future.succeededFuture() : pool.close())
        .transform(v -> signals == null ? Future.succeededFuture() : signals.close());
  }

  public TargetStatus status() {
    return new TargetStatus(spec.name(), spec.redactedUrl(), up, polled, since, server,
        loops.values().stream().map(CheckLoop::status).toList(), ownership.owned());
  }

  /** Runs one check now on this target's event loop (see CheckLoop); fails when the target is down or not started. */
  public Future<Void> runNow(String check) {
    if (context == null) {
      return Future.failedFuture(new IllegalStateException("target " + spec.name() + " is not started"));
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      CheckLoop loop = loops.get(check);
      if (loop == null) {
        done.fail(new IllegalArgumentException("target " + spec.name() + " has no check named " + check));
      } else if (!up) {
        done.fail(new IllegalStateException("target " + spec.name() + " is down"));
      } else if (!ownership.owned()) {
        done.fail(new IllegalStateException("target " + spec.name() + " is watched by another instance"));
      } else {
        loop.runNow().onComplete(done);
      }
    });
    return done.future();
  }

  public String name() {
    return spec.name();
  }

  /** Checks run while the target answers and this instance owns it. */
  private boolean acting() {
    return up && ownership.owned();
  }

  private Future<Void> beat() {
    long seq = ++beats;
    // The whole beat is timed out here, not only by the loop: a probe stuck on a cut-off network must
    // still end in "down" (and give the lock up). A beat that outlasts the loop's timeout anyway is
    // replaced by the next one, and its outcome is ignored (see #current): its late "down" would
    // otherwise release a lock the newer beat just took.
    Duration timeout = spec.queryTimeout().plus(spec.connectTimeout());
    // An owner confirms its lock at once on the lock session, beside the probe: the probe may wait for
    // the shared monitoring connection in a busy window, and a confirmation that waited for it could
    // outlast the lease. The target is up only if the probe answers on the monitoring connection,
    // the one the checks and the kill switch use: a lock session that answers while that connection
    // is broken or wedged would keep a target "up" and owned on which every check fails, and no
    // other instance would take it over. Taking the lock waits for a probe that answered.
    Future<Boolean> confirmed = ownership.confirming() ? ownership.step(vertx, owners) : null;
    if (confirmed == null && (up || !polled)) {
      // Not while the target is down: a server that refuses pgvigil would get two attempts a beat.
      ownership.prepare(vertx);
    }
    return probe.probe(pool)
        .onSuccess(info -> {
          if (current(seq)) {
            server = info;
            reconnect.connected();
            markUp(true, null);
          }
        })
        .compose(info -> confirmed != null ? confirmed : ownership.step(vertx, owners))
        .compose(now -> {
          if (now && current(seq) && owners.shouldRelease(spec.name())) {
            LOG.info("target {}: handed over to a less busy instance", spec.name());
            return ownership.release().map(false);
          }
          return Future.succeededFuture(now);
        })
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(now -> {
          if (current(seq)) {
            ownedNow(now);
          }
        })
        .recover(e -> {
          if (!current(seq)) {
            return Future.failedFuture(e); // a newer beat decides; its loop already timed this one out
          }
          Throwable explained = VertxTls.explain(e, spec.connect());
          reconnect.failed(explained);
          // Described once, so the down line and the heartbeat's lastError say the same (e.g. why TLS failed).
          String reason = Failures.describe(explained, timeout, spec.connect().getHost());
          markUp(false, reason);
          ownership.release();
          ownedNow(false);
          return Future.failedFuture(new TargetDownException(reason, e));
        })
        .eventually(() -> {
          if (current(seq)) {
            polled = true;
          }
          return Future.succeededFuture();
        })
        .mapEmpty();
  }

  /** Whether beat {@code seq} is the latest and the monitor still runs: only then may it say up, down or owned. */
  private boolean current(long seq) {
    return seq == beats && !stopping;
  }

  private void markUp(boolean nowUp, String reason) {
    if (stopping) {
      return;
    }
    boolean changed = nowUp != up || !polled;
    up = nowUp;
    if (changed) {
      since = clock.instant();
      if (nowUp) {
        LOG.info("target {}: up ({} PostgreSQL {}{})", spec.name(), spec.redactedUrl(),
            server.version(), server.inRecovery() ? ", standby" : "");
      } else {
        LOG.warn("target {}: down ({}): {}; {}", spec.name(), spec.redactedUrl(), reason,
            reconnect.backingOff()
                ? "retrying with backoff up to " + spec.maxBackoff().toSeconds() + "s"
                : "retrying at least every " + Reconnect.AWAY_RETRY.toSeconds()
                    + " s until it is back");
      }
      try {
        reachability.changed(spec.name(), nowUp, since);
      } catch (RuntimeException e) {
        // Whoever listens (alerting) must never stop the target from being watched.
        LOG.error("target {}: a listener of up/down failed", spec.name(), e);
      }
    }
  }

  private void ownedNow(boolean now) {
    if (stopping) {
      return;
    }
    Boolean before = ownedBefore;
    ownedBefore = now;
    owners.set(spec.name(), now);
    if (now && !Boolean.TRUE.equals(before)) {
      loops.values().forEach(CheckLoop::resume);
    }
    try {
      if (before == null || before != now) {
        owned.changed(spec.name(), now);
      } else if (now) {
        owned.held(spec.name());
      }
    } catch (RuntimeException e) {
      LOG.error("target {}: a listener of ownership failed", spec.name(), e);
    }
  }

  private Duration heartbeatInterval() {
    return up ? spec.interval() : reconnect.nextAttempt();
  }
}
