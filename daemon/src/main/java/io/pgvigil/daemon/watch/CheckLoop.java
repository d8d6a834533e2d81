package io.pgvigil.daemon.watch;

import static io.pgvigil.daemon.metrics.MeterNames.CHECK_ERRORS;
import static io.pgvigil.daemon.metrics.MeterNames.POLL_DURATION;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_CHECK;
import static io.pgvigil.daemon.metrics.MeterNames.TAG_TARGET;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one check of one target forever, on a Vert.x timer: never two runs at once, the next start
 * {@code interval} after the previous one (at once if the run overran). A failure or a timeout is
 * counted in {@code pgvigil_check_errors_total} and logged only when the check changes state, so
 * a database that is down for an hour logs two lines, not 3,600.
 */
final class CheckLoop {

  private static final Logger LOG = LoggerFactory.getLogger(CheckLoop.class);
  private static final Duration PAUSED_RECHECK = Duration.ofMillis(250);

  private final Vertx vertx;
  private final String target;
  private final String check;
  private final Supplier<Future<Void>> run;
  private final Supplier<Duration> interval;
  private final Duration timeout;
  private final BooleanSupplier enabled;
  private final Clock clock;
  private final Timer duration;
  private final Counter errors;

  private volatile CheckStatus status;
  private long timerId = -1;
  private boolean stopped;
  private Future<Void> inFlight;
  /** The one run asked for while {@link #inFlight} was under way: every such request shares it. */
  private Future<Void> followUp;
  private boolean quiet;
  /** The last tick found the check disabled: it waits {@link #PAUSED_RECHECK}, not an interval. */
  private boolean paused;

  CheckLoop(Vertx vertx, String target, String check, Supplier<Future<Void>> run,
      Supplier<Duration> interval, Duration timeout, BooleanSupplier enabled,
      MeterRegistry registry, Clock clock) {
    this.vertx = vertx;
    this.target = target;
    this.check = check;
    this.run = run;
    this.interval = interval;
    this.timeout = timeout;
    this.enabled = enabled;
    this.clock = clock;
    this.duration = Timer.builder(POLL_DURATION)
        .description("Time one run of a check took, failed runs included")
        .tags(TAG_TARGET, target, TAG_CHECK, check).register(registry);
    this.errors = Counter.builder(CHECK_ERRORS)
        .description("Runs of a check that failed or timed out")
        .tags(TAG_TARGET, target, TAG_CHECK, check).register(registry);
    this.status = CheckStatus.initial(check);
  }

  /** Logs no failing/recovered lines (the heartbeat's are the target's own up/down lines). */
  CheckLoop quiet() {
    this.quiet = true;
    return this;
  }

  void start() {
    vertx.runOnContext(v -> tick());
  }

  void stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }

  CheckStatus status() {
    return status;
  }

  /**
   * Runs now, the next run one interval later; on the loop's context. A run under way may have read its inputs
   * before the request (a drift check, the migration files just edited), so the request gets a fresh run after it,
   * one shared by every request made meanwhile.
   */
  Future<Void> runNow() {
    if (inFlight != null) {
      if (followUp == null) {
        followUp = inFlight.transform(ar -> {
          followUp = null;
          return stopped ? Future.<Void>succeededFuture() : runNow();
        });
      }
      return followUp;
    }
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    return runOnce();
  }

  /**
   * Looks again at once when paused (the monitor has just been given the target): the first poll
   * of a target comes with its ownership, not up to {@link #PAUSED_RECHECK} after. On the loop's
   * context.
   */
  void resume() {
    if (paused && timerId >= 0) {
      vertx.cancelTimer(timerId);
      tick();
    }
  }

  private void tick() {
    timerId = -1;
    if (stopped) {
      return;
    }
    paused = !enabled.getAsBoolean();
    if (paused) {
      // Paused while the target is down: look again soon, so a check with a long interval
      // (drift, every 5 minutes) runs as soon as the target is back, not an interval later.
      Duration every = interval.get();
      schedule(every.compareTo(PAUSED_RECHECK) < 0 ? every : PAUSED_RECHECK);
      return;
    }
    runOnce();
  }

  private Future<Void> runOnce() {
    Instant started = clock.instant();
    long startNanos = System.nanoTime();
    Future<Void> attempt;
    try {
      attempt = run.get();
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    Future<Void> outcome = attempt.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .andThen(ar -> {
          inFlight = null;
          long tookNanos = System.nanoTime() - startNanos;
          duration.record(tookNanos, TimeUnit.NANOSECONDS);
          finished(started, Duration.ofNanos(tookNanos), ar.cause());
          Duration wait = interval.get().minusNanos(tookNanos);
          schedule(wait.isNegative() ? Duration.ZERO : wait);
        });
    // A run that completed at once has already cleared inFlight: don't resurrect it.
    inFlight = outcome.isComplete() ? null : outcome;
    return outcome;
  }

  /** {@code failure} is null for a run that succeeded. */
  private void finished(Instant started, Duration took, Throwable failure) {
    if (failure == null) {
      if (status.failing() && !quiet) {
        LOG.info("target {}: check {} recovered after {} failed run(s)", target, check,
            status.consecutiveFailures());
      }
      status = status.succeeded(started, took);
      return;
    }
    errors.increment();
    String message = Failures.describe(failure, timeout);
    if (!status.failing() && !quiet) {
      LOG.warn("target {}: check {} failing: {}", target, check, message);
    }
    status = status.failed(started, took, message);
  }

  private void schedule(Duration delay) {
    if (stopped) {
      return;
    }
    // Vert.x timers take at least 1 ms.
    timerId = vertx.setTimer(Math.max(1, delay.toMillis()), id -> tick());
  }
}
