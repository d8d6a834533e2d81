package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.SlidingWindowLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to each sink in order, one request in flight per sink, within its rate limit, retrying
 * transient failures with backoff. A notification is spooled before {@link #enqueue} completes and deleted only once
 * the sink accepted (or rejected) it, so a restart resends, in order, what was not delivered; what the spool refuses is
 * kept in memory ({@link MemoryFallback}). Delivery is at least once: a crash between a 2xx and the delete resends that
 * notification with the same {@link Notification#id()}.
 *
 * <p>Time (backoff, rate limits) comes from the injected {@link Clock}; the timer only decides how often it is looked
 * at, so tests move a mutable clock instead of sleeping.
 */
public final class DeliveryQueue {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryQueue.class);
  static final Duration SPOOL_RETRY = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final Clock clock;
  private final Spool spool;
  private final MemoryFallback fallback;
  private final Backoff backoff;
  private final DeliveryListener listener;
  private final Map<String, Lane> lanes = new LinkedHashMap<>();
  private final WorkerExecutor disk;
  private final Object lock = new Object();
  private boolean started;
  private long timerId = -1;

  public DeliveryQueue(Vertx vertx, Clock clock, Spool spool, List<Sink> sinks, Backoff backoff,
      DeliveryListener listener) {
    this.vertx = vertx;
    this.clock = clock;
    this.spool = spool;
    this.fallback = new MemoryFallback(spool, clock, SPOOL_RETRY);
    this.backoff = backoff;
    this.listener = listener;
    for (Sink s : sinks) {
      if (lanes.put(s.name(), new Lane(s)) != null) {
        throw new IllegalArgumentException("two sinks are named '" + s.name() + "'");
      }
    }
    // One thread: spool writes and deletes happen in submission order.
    this.disk = vertx.createSharedWorkerExecutor("pgvigil-alert-spool-" + UUID.randomUUID(), 1);
  }

  /** Loads what a previous run left in the spool, then looks for due work every {@code poll}. */
  public Future<Void> start(Duration poll) {
    List<Future<?>> loads = new ArrayList<>();
    for (Lane lane : lanes.values()) {
      loads.add(disk.executeBlocking(() -> {
        List<Notification> left = spool.load(lane.sink.name());
        synchronized (lock) {
          left.forEach(n -> lane.pending.put(n.seq(), n));
        }
        if (!left.isEmpty()) {
          LOG.info("Sink {}: {} notification(s) left in the spool will be resent in order",
              lane.sink.name(), left.size());
        }
        return null;
      }));
    }
    return Future.all(loads).map(all -> {
      synchronized (lock) {
        started = true;
        timerId = vertx.setPeriodic(Math.max(1, poll.toMillis()), id -> pumpAll());
      }
      pumpAll();
      return null;
    });
  }

  /** Stops sending; waits for pending spool writes and deletes so nothing is resent needlessly. */
  public Future<Void> close() {
    synchronized (lock) {
      started = false;
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
      }
    }
    return disk.executeBlocking(() -> {
      fallback.close();
      return null;
    }).eventually(disk::close).mapEmpty();
  }

  public Sink sink(String name) {
    Lane lane = lanes.get(name);
    if (lane == null) {
      throw new IllegalArgumentException("no sink named '" + name + "'");
    }
    return lane.sink;
  }

  /**
   * Spools a notification of {@code alerts} for {@code sink}; completes once it is on disk or, when the spool cannot be
   * written, kept in memory (see {@link MemoryFallback}).
   */
  public Future<Notification> enqueue(String sink, List<Alert> alerts) {
    Lane lane = lanes.get(sink);
    if (lane == null) {
      return Future.failedFuture(new IllegalArgumentException("no sink named '" + sink + "'"));
    }
    Future<Spooled> written;
    Notification n;
    synchronized (lock) {
      if (!started) {
        return Future.failedFuture(new IllegalStateException("delivery queue is not started"));
      }
      n = new Notification(spool.nextSeq(), UUID.randomUUID().toString(), sink, clock.instant(), alerts);
      written = disk.executeBlocking(() -> {
        String error = fallback.write(n);
        List<Notification> evicted;
        synchronized (lock) {
          lane.pending.put(n.seq(), n);
          evicted = lane.evictOverflow(spool.maxPerSink());
        }
        for (Notification e : evicted) {
          deleteQuietly(e);
        }
        return new Spooled(evicted, error);
      });
    }
    return written.map(spooled -> {
      if (spooled.error() != null) {
        listener.onDelivery(new DeliveryEvent(sink, DeliveryResult.SPOOL_FAILED, n.id(), spooled.error()));
      }
      for (Notification e : spooled.evicted()) {
        LOG.error("Sink {}: spool full ({} notifications); dropped the oldest, {}", sink, spool.maxPerSink(), e.id());
        listener.onDelivery(new DeliveryEvent(sink, DeliveryResult.DROPPED, e.id(), "spool full"));
      }
      pump(lane);
      return n;
    });
  }

  /** Notifications not yet delivered, on disk or in memory: {@code pgvigil_alert_spool_depth}. */
  public int spoolDepth(String sink) {
    synchronized (lock) {
      Lane lane = lanes.get(sink);
      return lane == null ? 0 : lane.pending.size();
    }
  }

  /** Sends whatever is due now and rewrites what the spool refused; the timer calls it. */
  public void pumpAll() {
    lanes.values().forEach(this::pump);
    synchronized (lock) {
      if (started && fallback.retryDue()) {
        disk.executeBlocking(() -> {
          fallback.retry();
          return null;
        });
      }
    }
  }

  private void deleteQuietly(Notification n) {
    try {
      fallback.delete(n);
    } catch (IOException | RuntimeException e) {
      LOG.error("Sink {}: could not delete notification {} from the spool ({}); it will be "
          + "resent after a restart", n.sink(), n.id(), e.toString());
    }
  }

  private void pump(Lane lane) {
    List<Notification> batch;
    synchronized (lock) {
      Instant now = clock.instant();
      if (!started || lane.inFlight != null || lane.pending.isEmpty()
          || now.isBefore(lane.notBefore) || !lane.limiter.tryAcquire(now)) {
        return;
      }
      batch = lane.pending.values().stream().limit(lane.sink.maxBatch()).toList();
      lane.inFlight = batch;
    }
    Future<Void> sent;
    try {
      sent = lane.sink.send(batch);
    } catch (RuntimeException bug) {
      sent = Future.failedFuture(DeliveryFailure.network(bug.getClass().getSimpleName()));
    }
    sent.onComplete(ar -> completed(lane, batch, ar.cause()));
  }

  private void completed(Lane lane, List<Notification> batch, Throwable cause) {
    String name = lane.sink.name();
    DeliveryFailure failure = cause == null ? null : cause instanceof DeliveryFailure f ? f
        : DeliveryFailure.network(cause.getClass().getSimpleName());
    if (failure != null && failure.kind() == DeliveryFailure.Kind.TRANSIENT) {
      Duration delay;
      int attempts;
      synchronized (lock) {
        attempts = ++lane.attempts;
        delay = backoff.delay(attempts, failure.retryAfter().orElse(null));
        lane.notBefore = clock.instant().plus(delay);
        lane.inFlight = null;
      }
      LOG.warn("Sink {}: {} notification(s) not delivered ({}); attempt {}, next try in {} ms",
          name, batch.size(), failure.getMessage(), attempts, delay.toMillis());
      batch.forEach(n -> listener.onDelivery(
          new DeliveryEvent(name, DeliveryResult.RETRIED, n.id(), failure.getMessage())));
      return;
    }
    synchronized (lock) {
      batch.forEach(n -> lane.pending.remove(n.seq()));
      lane.attempts = 0;
      lane.notBefore = Instant.MIN;
      lane.inFlight = null;
    }
    disk.executeBlocking(() -> {
      batch.forEach(this::deleteQuietly);
      return null;
    });
    DeliveryResult result = failure == null ? DeliveryResult.SENT : DeliveryResult.FAILED;
    if (failure != null) {
      LOG.error("Sink {} rejected {} notification(s) ({}): a client error, dropped, not retried; "
          + "ids {}", name, batch.size(), failure.getMessage(), batch.stream().map(Notification::id).toList());
    }
    String detail = failure == null ? "" : failure.getMessage();
    batch.forEach(n -> listener.onDelivery(new DeliveryEvent(name, result, n.id(), detail)));
    pump(lane);
  }

  private record Spooled(List<Notification> evicted, String error) {}

  /** One sink's queue; guarded by {@code lock}. */
  private static final class Lane {
    final Sink sink;
    final SlidingWindowLimiter limiter;
    final TreeMap<Long, Notification> pending = new TreeMap<>();
    List<Notification> inFlight;
    int attempts;
    Instant notBefore = Instant.MIN;

    Lane(Sink sink) {
      this.sink = sink;
      this.limiter = new SlidingWindowLimiter(sink.rateLimit());
    }

    /** Drops the oldest notifications not in flight until at most {@code max} remain. */
    List<Notification> evictOverflow(int max) {
      List<Notification> evicted = new ArrayList<>();
      var it = pending.values().iterator();
      while (pending.size() - evicted.size() > max && it.hasNext()) {
        Notification n = it.next();
        if (inFlight == null || !inFlight.contains(n)) {
          evicted.add(n);
        }
      }
      evicted.forEach(n -> pending.remove(n.seq()));
      return evicted;
    }
  }
}
