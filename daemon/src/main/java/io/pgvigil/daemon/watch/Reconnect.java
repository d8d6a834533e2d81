package io.pgvigil.daemon.watch;

import io.pgvigil.checks.tls.TlsFailure;
import io.vertx.pgclient.PgException;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * How soon the heartbeat asks a target that is down again: doubling from the poll interval, up to
 * a cap that depends on why it is down (used on the target's event loop only).
 *
 * <ul>
 *   <li>The server is <em>away</em>: refused, no route, unknown host, no answer, or starting up or
 *       shutting down (SQLSTATE 57P03, 57P01). Asking costs a SYN: PostgreSQL logs nothing for a
 *       refused connection, nor for one closed before its startup packet (postmaster's
 *       ProcessStartupPacket: "If we get no data at all, don't clutter the log"). The wait stops
 *       growing at {@link #AWAY_RETRY}: a returning database is polled within about a second.
 *   <li>The server answers and <em>refuses</em> pgvigil: authentication, a missing database, too
 *       many connections, TLS. Each attempt costs the server a backend and a log line and nothing
 *       changes until a person acts: the wait grows up to {@code maxBackoff}.
 * </ul>
 */
final class Reconnect {

  static final Duration AWAY_RETRY = Duration.ofSeconds(1);
  /** cannot_connect_now (starting up, shutting down, recovery), admin_shutdown, crash_shutdown. */
  private static final Set<String> COMING_BACK = Set.of("57P03", "57P01", "57P02");

  private final Duration interval;
  private final Duration maxBackoff;
  private int failures;
  private boolean away = true;

  Reconnect(Duration interval, Duration maxBackoff) {
    this.interval = interval;
    this.maxBackoff = maxBackoff;
  }

  void connected() {
    failures = 0;
    away = true;
  }

  void failed(Throwable cause) {
    away = isAway(cause);
    failures++;
  }

  /** The last failure was a refusal. */
  boolean backingOff() {
    return !away;
  }

  Duration nextAttempt() {
    Duration cap = away && AWAY_RETRY.compareTo(maxBackoff) < 0 ? AWAY_RETRY : maxBackoff;
    Duration backoff = interval.multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 16));
    return backoff.compareTo(cap) > 0 ? cap : backoff;
  }

  static boolean isAway(Throwable cause) {
    // The reactive client reports a failed handshake as a bare VertxException("SSL handshake
    // failed") and a server without TLS as a plain Exception: neither is an SSLException.
    if (TlsFailure.reason(cause, "the server").isPresent()) {
      return false;
    }
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PgException pg) {
        return COMING_BACK.contains(pg.getSqlState());
      }
      if (t instanceof SSLException) {
        return false;
      }
    }
    return true;
  }
}
