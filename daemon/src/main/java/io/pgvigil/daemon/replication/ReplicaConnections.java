package io.pgvigil.daemon.replication;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether pgvigil can reach each configured replica over its own URL, and why not. The replica's own view (replay
 * gap, pause, receiver) comes from that connection, so a replica pgvigil cannot reach says why (a certificate its
 * {@code sslrootcert} does not trust, a refused login, a wrong port) in the API, and in the log once when it starts
 * failing and once when it is back, never once per poll.
 */
public final class ReplicaConnections {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaConnections.class);

  /** A replica pgvigil cannot reach: the last poll's failure, one line, since the first failed poll of this run. */
  public record Failure(String reason, Instant since) {}

  private final String target;
  private final Map<String, Failure> failing = new ConcurrentHashMap<>();

  public ReplicaConnections(String target) {
    this.target = target;
  }

  void failed(String replica, String redactedUrl, String reason, Instant now) {
    Failure before = failing.get(replica);
    failing.put(replica, new Failure(reason, before == null ? now : before.since()));
    if (before == null) {
      LOG.warn("target {}: replica {} ({}) cannot be polled: {}; its own view (replay gap, pause, receiver)"
          + " is unknown until it answers", target, replica, redactedUrl, reason);
    }
  }

  void succeeded(String replica, String redactedUrl) {
    if (failing.remove(replica) != null) {
      LOG.info("target {}: replica {} ({}) answers again", target, replica, redactedUrl);
    }
  }

  /** Why the replica's last poll failed; empty when it succeeded (or never ran). */
  public Optional<Failure> failure(String replica) {
    return Optional.ofNullable(failing.get(replica));
  }
}
