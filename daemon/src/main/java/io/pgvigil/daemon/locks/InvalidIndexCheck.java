package io.pgvigil.daemon.locks;

import io.pgvigil.checks.locks.InvalidIndexProbe;
import io.pgvigil.daemon.watch.TargetCheck;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * INVALID indexes, every 30 s: they appear when a CREATE INDEX CONCURRENTLY fails and stay until
 * dropped or rebuilt. Not every second: the scan of {@code pg_index} grows with the catalog.
 */
public final class InvalidIndexCheck extends TargetCheck {

  public static final String NAME = "invalid-indexes";
  static final Duration INTERVAL = Duration.ofSeconds(30);

  private final InvalidIndexProbe probe = new InvalidIndexProbe();
  private final LockState state;

  public InvalidIndexCheck(Duration timeout, LockState state) {
    super(NAME, () -> INTERVAL, timeout);
    this.state = state;
  }

  @Override
  public Future<Void> run(Context context) {
    return probe.poll(context.pool()).onSuccess(state::updateInvalidIndexes).mapEmpty();
  }
}
