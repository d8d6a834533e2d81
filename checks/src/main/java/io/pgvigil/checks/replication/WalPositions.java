package io.pgvigil.checks.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * When the primary's WAL position passed each position pgvigil saw it at: one sample per poll in which it
 * moved, at most {@code CAPACITY}. From it, how far a standby is behind <em>now</em>: the age of the oldest
 * WAL it has not replayed, timed by pgvigil's clock.
 *
 * <p>Not {@code now() - pg_last_xact_replay_timestamp()}: the age of the last replayed commit counts the idle
 * time before the first unreplayed record as lag (a replica idle for five minutes, then paused, reads five
 * minutes behind a second later). Not {@code replay_lag} alone: NULL on an idle standby, and stale up to
 * {@code wal_receiver_status_interval} after it caught up; it serves only when the samples do not reach back.
 *
 * <p>The age is a lower bound by at most one poll interval (the later of the two bracketing samples is used),
 * so a standby is never reported further behind than it is. Not thread-safe: one per target.
 */
final class WalPositions {

  static final int CAPACITY = 1024;

  private final Deque<Sample> samples = new ArrayDeque<>();

  /**
   * Records the primary's position at a poll. A position that did not move adds nothing (an idle primary
   * keeps its one sample); one that went back (another server behind the same URL, a restored backup) starts
   * over, since the old positions say nothing about the new WAL.
   */
  void observe(Instant at, Long lsn) {
    Sample last = samples.peekLast();
    if (lsn == null || (last != null && lsn == last.lsn())) {
      return;
    }
    if (last != null && Long.compareUnsigned(lsn, last.lsn()) < 0) {
      samples.clear();
    }
    samples.addLast(new Sample(lsn, at));
    while (samples.size() > CAPACITY) {
      samples.removeFirst();
    }
  }

  /**
   * How far a standby that has replayed up to {@code replayed} is behind at {@code now}, in seconds: 0 when it
   * has replayed everything the primary had at the last observation; otherwise now minus the first
   * observation of a position beyond {@code replayed}. When even the oldest sample kept is beyond
   * {@code replayed} (pgvigil just started, or the standby is behind by more than the samples cover), that is
   * only a lower bound, and the primary's own {@code replayLagSeconds} is used when it is larger. Null when a
   * position is unknown and the primary has no measure either.
   */
  Double secondsBehind(Instant now, Long replayed, Double replayLagSeconds) {
    Sample last = samples.peekLast();
    if (replayed == null || last == null) {
      return replayLagSeconds;
    }
    if (Long.compareUnsigned(replayed, last.lsn()) >= 0) {
      return 0.0;
    }
    Instant firstBeyond = last.observedAt();
    boolean bracketed = false;
    for (Iterator<Sample> it = samples.descendingIterator(); it.hasNext();) {
      Sample sample = it.next();
      if (Long.compareUnsigned(sample.lsn(), replayed) <= 0) {
        bracketed = true;
        break;
      }
      firstBeyond = sample.observedAt();
    }
    double age = Math.max(0.0, Duration.between(firstBeyond, now).toNanos() / 1e9);
    // replay_lag is not used when the samples bracket the position: it can be stale by a status interval
    // and then counts idle time (the standby replayed the last record, but has not said so yet).
    return bracketed || replayLagSeconds == null ? age : Math.max(age, replayLagSeconds);
  }

  int size() {
    return samples.size();
  }

  /** A {@code pg_lsn}'s text form ({@code 16/B374D848}: high and low 32 bits in hex) as an unsigned 64-bit value. */
  static Long parse(String lsn) {
    if (lsn == null) {
      return null;
    }
    int slash = lsn.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("not a pg_lsn: " + lsn);
    }
    long high = Long.parseLong(lsn.substring(0, slash), 16);
    long low = Long.parseLong(lsn.substring(slash + 1), 16);
    return (high << 32) | low;
  }

  private record Sample(long lsn, Instant observedAt) {}
}
