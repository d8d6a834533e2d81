package io.pgvigil.daemon.watch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;

/**
 * One periodic check of one target, as the scheduler sees it: a name (a metric
 * label), how often it runs, how long one run may take, and one run. A run that
 * fails or times out is counted and logged by the scheduler; it never stops
 * the loop.
 */
public interface TargetCheck {

  /** What a run may use: the target's pool, and Vert.x for blocking work. */
  record Context(Vertx vertx, Pool pool) {}

  String name();

  /** Time between the starts of two runs; a run that overruns is followed at once. */
  Duration interval();

  /** How long one run may take before it counts as failed. */
  Duration timeout();

  Future<Void> run(Context context);

  /** Releases what the check opened itself (its own pools); called once when the target stops. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
