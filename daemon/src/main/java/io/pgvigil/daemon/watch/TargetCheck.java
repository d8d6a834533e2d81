package io.pgvigil.daemon.watch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * One periodic check of one target, as the scheduler sees it: a name (a metric label), the time
 * between the starts of two runs (asked before each; a run that overruns is followed at once), how
 * long one run may take, and one run. A run that fails or times out is counted and logged by the
 * scheduler; it never stops the loop.
 */
public abstract class TargetCheck {

  /**
   * What a run may use: the target's one shared monitoring connection ({@code pool}, one query at a
   * time), the kill switch's own connection ({@code signals}: its cancels and terminates, never
   * queued behind the polls), how to open connections of its own for a long run ({@code connect}),
   * and Vert.x.
   */
  public record Context(Vertx vertx, Pool pool, Pool signals, PgConnectOptions connect) {}

  private final String name;
  private final Supplier<Duration> interval;
  private final Duration timeout;

  protected TargetCheck(String name, Supplier<Duration> interval, Duration timeout) {
    this.name = name;
    this.interval = interval;
    this.timeout = timeout;
  }

  public final String name() {
    return name;
  }

  public final Duration interval() {
    return interval.get();
  }

  public final Duration timeout() {
    return timeout;
  }

  public abstract Future<Void> run(Context context);

  /** Releases what the check opened itself (its own pools); called once when the target stops. */
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
