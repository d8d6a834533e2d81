package io.pgvigil.alerts;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications the {@link Spool} refused (a full disk, a read-only or vanished directory): the queue keeps them in
 * memory and sends them all the same; this writes them again every {@code retry} until the disk takes them, so a
 * restart after the disk recovered still resends what was not delivered. Says once when the spool starts failing and
 * once when it works again, not once per notification.
 *
 * <p>Confined to the queue's single disk thread (every method but {@link #retryDue} runs there), so a write, its retry
 * and the delete after delivery happen in submission order: a retry never resurrects a notification whose delete ran
 * before it, because that delete removed it here.
 */
final class MemoryFallback {

  private static final Logger LOG = LoggerFactory.getLogger(MemoryFallback.class);

  private final Spool spool;
  private final Clock clock;
  private final Duration retry;
  private final TreeMap<Long, Notification> unspooled = new TreeMap<>();
  private final AtomicBoolean retryQueued = new AtomicBoolean();
  private volatile Instant retryAt = Instant.MAX;
  /** Whether the last write failed: the log tells changes, not every notification. */
  private boolean failing;

  MemoryFallback(Spool spool, Clock clock, Duration retry) {
    this.spool = spool;
    this.clock = clock;
    this.retry = retry;
  }

  /** Writes {@code n}; on failure keeps it and returns why, else null. */
  String write(Notification n) {
    try {
      spool.write(n);
      if (unspooled.isEmpty()) {
        recovered();
      } else {
        retryAt = clock.instant(); // the disk is back: write the older ones at the next pump
      }
      return null;
    } catch (IOException | RuntimeException e) {
      String why = describe(e);
      if (!failing) {
        failing = true;
        LOG.error("Sink {}: cannot write the alert spool ({}); notifications are kept in memory "
            + "and sent as usual, the spool is tried again every {} s, and what is not delivered "
            + "is lost if pgvigil stops before the disk takes it", n.sink(), why, retry.toSeconds());
      }
      unspooled.put(n.seq(), n);
      retryAt = clock.instant().plus(retry);
      return why;
    }
  }

  /** After delivery or eviction: deletes the file, and forgets the notification if never written. */
  void delete(Notification n) throws IOException {
    unspooled.remove(n.seq());
    spool.delete(n);
  }

  /** Whether a retry is due and none is queued yet; true claims it (call {@link #retry} next). */
  boolean retryDue() {
    return !clock.instant().isBefore(retryAt) && retryQueued.compareAndSet(false, true);
  }

  /** Writes what is kept in memory, in order, until the disk refuses again. */
  void retry() {
    retryQueued.set(false);
    if (unspooled.isEmpty()) {
      retryAt = Instant.MAX;
      return;
    }
    for (var it = unspooled.values().iterator(); it.hasNext();) {
      try {
        spool.write(it.next());
        it.remove();
      } catch (IOException | RuntimeException e) {
        retryAt = clock.instant().plus(retry);
        return;
      }
    }
    retryAt = Instant.MAX;
    recovered();
  }

  private void recovered() {
    if (failing) {
      failing = false;
      LOG.info("The alert spool takes writes again; what was kept in memory is on disk");
    }
  }

  /** At shutdown: one last try; says what will be lost. */
  void close() {
    retry();
    if (!unspooled.isEmpty()) {
      LOG.error("{} undelivered notification(s) could not be written to the alert spool and are "
          + "lost at exit, ids {}", unspooled.size(), unspooled.values().stream().map(Notification::id).toList());
    }
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
  }
}
