package io.pgvigil.daemon.review;

import io.pgvigil.checks.history.OfflineHistory;
import java.util.Optional;

/**
 * How a review gets what the live database would tell it, and whether it may reuse a replayed shadow.
 *
 * @param offline     present: no connection to the target at all; the major and the applied history are given
 * @param shadowCache reuse replayed embedded shadows saved by earlier runs ({@code review --no-cache}: false)
 */
public record ReviewMode(Optional<Offline> offline, boolean shadowCache) {

  public static final ReviewMode ONLINE = new ReviewMode(Optional.empty(), true);

  /** {@code --offline --pg-major N} with {@code --applied-through V} or {@code --applied-from-git REF}. */
  public record Offline(int pgMajor, OfflineHistory.Basis basis) {}
}
