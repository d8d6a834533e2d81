package io.pgvigil.daemon.runtime;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Duration;

/**
 * One periodic check of one target, as the scheduler sees it: a name (a metric
 * label), how often it runs, and one run against the target's pool. A run that
 * fails or times out is counted and logged by the scheduler; it never stops
 * the loop.
 */
public interface TargetCheck {

  String name();

  /** Time between the starts of two runs; a run that overruns is followed at once. */
  Duration interval();

  Future<Void> run(Pool pool);
}
