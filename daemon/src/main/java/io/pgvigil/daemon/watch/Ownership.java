package io.pgvigil.daemon.watch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this instance owns a target, decided by the target itself: the owner holds a
 * session-level advisory lock, {@code pg_try_advisory_lock(classid, objid)}, on a connection of its
 * own, for as long as that connection lives. Any number of instances may watch a target; only its
 * owner polls, opens automatic windows, evaluates the rules, runs the kill switch and sends alerts.
 *
 * <p>The key is two int4s: {@link #NAMESPACE} and a hash of the cluster and target names. Flyway
 * and Prisma lock with one bigint key, which {@code pg_locks} lists with {@code objsubid = 1}; a
 * two-int key is {@code objsubid = 2}, so they can never collide; Liquibase locks a table row.
 *
 * <p>An owner that dies ({@code kill -9}) loses its lock when the kernel closes its socket. One
 * that is cut off from the database would keep it until TCP gives up, so the lock connection sets
 * {@code idle_session_timeout} (PostgreSQL 14+) and {@code tcp_user_timeout} to the lease,
 * {@code watch.interval + connectTimeout}: a server that hears nothing on the session for a lease
 * ends it and frees the lock. The owner confirms the lock every heartbeat with one round trip on
 * that open session, beside the heartbeat's probe, timed out at {@code connectTimeout}.
 *
 * <p>Two instances never act at once on one database because the owner steps down before the
 * server can free the lock. Let {@code s} be when the owner sent its last query that the server
 * answered (the lock or a confirmation). The server received it after {@code s} and its idle clock
 * starts only once it has answered, so it frees the lock no earlier than {@code s + lease}. The
 * owner counts itself the owner only until {@code s + lease - margin} ({@link #owned}), whether the
 * next confirmation hangs, fails or is never sent (a heartbeat stuck before it); the margin, a
 * tenth of {@code connectTimeout}, is taken from the owner's side and leaves room for an action
 * decided just before that deadline. A healthy owner confirms every interval, well inside it. A
 * partitioned owner therefore gives up by {@code s + lease}, the server frees the lock by then, and
 * another instance takes it at its next heartbeat: within {@code 2 × interval + connectTimeout} of
 * the cut, since {@code s} is at most an interval before it.
 */
public final class Ownership {

  private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);
  /** The classid of pgvigil's advisory locks: "pgvg" in ASCII. */
  public static final int NAMESPACE = 0x70677667;
  /** How long opening a lock session may take before it is given up (see {@link #openOnce}). */
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

  private final TargetSpec spec;
  private final int key;
  private final Duration lease;
  /** How long before the lease ends the owner gives up: see the class comment. */
  private final long marginNanos;
  private Future<Boolean> inFlight;
  private PgConnection connection;
  /** The lock session being opened, if any (see {@link #openOnce}). */
  private Future<PgConnection> opening;
  private volatile boolean owner;
  /** System.nanoTime() until which this instance may act as the owner. */
  private volatile long validUntil;
  /** When the last lock or confirmation query of the step under way was sent (System.nanoTime()). */
  private long sent;
  /** Bumped by every release: a step begun before it must not take or keep the lock after it. */
  private long epoch;
  /** Set by {@link #close}: no step takes the lock again. */
  private boolean closed;
  /** This instance took the lock last step only to see that nobody held it (over its share). */
  private boolean seenFree;

  /**
   * @param lease how long the server keeps a silent lock session: {@code interval + connectTimeout}
   */
  public Ownership(TargetSpec spec, String cluster, Duration lease) {
    this.spec = spec;
    this.key = key(cluster, spec.name());
    this.lease = lease;
    this.marginNanos = spec.connectTimeout().dividedBy(10).toNanos();
  }

  /** The objid of a target's lock: the first four bytes of SHA-256 of {@code cluster/target}. */
  public static int key(String cluster, String target) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((cluster + "/" + target).getBytes(StandardCharsets.UTF_8));
      return (hash[0] & 0xff) << 24 | (hash[1] & 0xff) << 16 | (hash[2] & 0xff) << 8 | hash[3] & 0xff;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  public int key() {
    return key;
  }

  /** Whether this instance owns the target and its last confirmation is recent enough to act on. */
  public boolean owned() {
    return owner && System.nanoTime() - validUntil < 0;
  }

  /**
   * Whether this instance held the lock but let its confirmation lapse (see the class comment); then
   * it gives the lock up (closes its session) and reports true once.
   */
  boolean lapsed() {
    if (!owner || owned()) {
      return false;
    }
    LOG.warn("target {}: ownership lost: the lock was not confirmed within {} ms", spec.name(),
        lease.toMillis() - TimeUnit.NANOSECONDS.toMillis(marginNanos));
    drop();
    return true;
  }

  /** Whether the next step confirms a lock this instance holds (it needs no pool connection). */
  boolean confirming() {
    return owner && connection != null;
  }

  /**
   * One step after a heartbeat that answered: the owner confirms its lock, another instance tries
   * to take it. Completes with whether this instance owns the target now.
   */
  Future<Boolean> step(Vertx vertx, Owners share) {
    return step(vertx, share, c -> c.query("SELECT 1").execute().mapEmpty());
  }

  /**
   * As above; an owner confirms with {@code confirmation} on the lock session (the heartbeat's
   * probe: one round trip that proves the session and answers the heartbeat).
   */
  Future<Boolean> step(Vertx vertx, Owners share, Function<PgConnection, Future<Void>> confirmation) {
    if (inFlight != null && !inFlight.isComplete()) {
      return inFlight;
    }
    if (closed) {
      return Future.succeededFuture(false);
    }
    long started = epoch;
    boolean confirming = owner && connection != null;
    Future<PgConnection> connected = connection != null ? Future.succeededFuture(connection) : session(vertx, started);
    // A step that hangs (a lock connection silently cut) must not leave this instance believing it
    // owns the target while the server ends the session and another instance takes the lock. The
    // confirmation is one round trip on an open session; taking may have to connect first.
    Duration timeout = confirming ? spec.connectTimeout() : spec.connectTimeout().plus(spec.queryTimeout());
    inFlight = connected
        .compose(c -> confirming ? confirm(c, confirmation) : tryTake(c, share))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .recover(e -> {
          if (epoch == started) {
            if (owner) {
              LOG.warn("target {}: ownership lost: {}", spec.name(), Failures.message(e));
            }
            drop();
          }
          return Future.succeededFuture(false);
        })
        .map(now -> {
          if (epoch != started) {
            return false; // released meanwhile: whatever this step got, it gave back
          }
          owner = now;
          if (now) {
            validUntil = sent + lease.toNanos() - marginNanos;
          }
          return now;
        });
    return inFlight;
  }

  /**
   * Gives the target to another instance (closing the connection frees the lock); never fails. A
   * step under way is fenced off, not waited for (a graceful stop must not wait for a connection
   * that hangs): one still connecting takes no lock (the session it opens stays idle for the next
   * step, or is closed once the monitor stopped), and none sets this instance the owner again.
   */
  Future<Void> release() {
    return drop();
  }

  /** Releases for good (the monitor stops): a heartbeat still under way cannot take the lock again. */
  Future<Void> close() {
    closed = true;
    return release();
  }

  /** Stops owning and closes the lock's session, without waiting for a step under way. */
  private Future<Void> drop() {
    epoch++;
    owner = false;
    seenFree = false;
    PgConnection c = connection;
    connection = null;
    return close(c);
  }

  private static Future<Void> close(PgConnection c) {
    return c == null ? Future.succeededFuture() : c.close().recover(e -> Future.succeededFuture());
  }

  /**
   * A session-level lock lasts as long as its session: a query that still answers on the same
   * connection proves it. (Reading pg_locks would prove no more, and costs a walk of the whole lock
   * table, which in a pileup is tens of milliseconds every heartbeat.)
   */
  private Future<Boolean> confirm(PgConnection c, Function<PgConnection, Future<Void>> confirmation) {
    sent = System.nanoTime();
    return confirmation.apply(c).map(true);
  }

  private Future<Boolean> tryTake(PgConnection c, Owners share) {
    sent = System.nanoTime();
    return c.preparedQuery("SELECT pg_try_advisory_lock($1, $2)").execute(Tuple.of(NAMESPACE, key))
        .compose(rows -> {
          boolean took = rows.iterator().next().getBoolean(0);
          if (took && !share.underShare() && !seenFree && !share.vacated(spec.name())) {
            // At or over this instance's share: the target is free, but one under its share may take
            // it; if it is still free at the next step, nobody else could, and this instance keeps it.
            // A target whose owner is gone (said it lost it, or left the cluster) is a takeover: it is
            // kept at once, so that the takeover bound holds however the targets are spread.
            seenFree = true;
            return c.preparedQuery("SELECT pg_advisory_unlock($1, $2)").execute(Tuple.of(NAMESPACE, key))
                .map(false);
          }
          seenFree = false;
          if (took) {
            LOG.info("target {}: owned by this instance (advisory lock {}, {})", spec.name(), NAMESPACE, key);
          }
          return Future.succeededFuture(took);
        });
  }

  /**
   * Starts opening the lock session, if none is open or opening, while the heartbeat's probe runs:
   * taking the lock still waits for a probe that answered, but not for a connect after it (at
   * start, the two connects one after the other were most of the time to a target's first poll).
   */
  void prepare(Vertx vertx) {
    if (connection == null && !closed) {
      open(vertx);
    }
  }

  /**
   * The lock session, opened if need be, for a step begun at {@code started}: it fails if this
   * instance released the target meanwhile (it took no lock: the session opened stays for the next
   * step, idle).
   */
  private Future<PgConnection> session(Vertx vertx, long started) {
    return open(vertx).compose(c -> epoch != started
        ? Future.failedFuture("released while connecting") : Future.succeededFuture(c));
  }

  /** The session being opened, or a new one: never two at once. */
  private Future<PgConnection> open(Vertx vertx) {
    if (opening == null) {
      Future<PgConnection> opened = openOnce(vertx);
      opening = opened;
      opened.onComplete(ar -> {
        if (opening == opened) {
          opening = null;
        }
      });
    }
    return opening;
  }

  /**
   * Opens a lock session, one at a time: a step that times out while it opens does not abandon it,
   * the next step waits for the same one. A server slow to start backends (hundreds of targets
   * starting at once, a loaded host) had every heartbeat start one more connection while the others
   * still queued in its listen backlog, thousands in a few minutes, and none was ever served in
   * time. Only an open that takes {@link #OPEN_TIMEOUT} is given up, its session closed if it comes.
   */
  private Future<PgConnection> openOnce(Vertx vertx) {
    Promise<PgConnection> opened = Promise.promise();
    long timer = vertx.setTimer(OPEN_TIMEOUT.toMillis(), id -> opened.tryFail(new TimeoutException(
        "no lock session within " + OPEN_TIMEOUT.toSeconds() + " s")));
    connect(vertx).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        opened.tryFail(ar.cause());
      } else if (closed || !opened.tryComplete(ar.result())) {
        close(ar.result());
      } else {
        adopt(ar.result());
      }
    });
    return opened.future();
  }

  /** A session with the lease's timeouts set (see the class comment). */
  private Future<PgConnection> connect(Vertx vertx) {
    return PgConnection.connect(vertx, spec.connect())
        .compose(c -> c.query("SELECT current_setting('server_version_num')::int").execute()
            .compose(rows -> {
              long millis = lease.toMillis();
              String sql = rows.iterator().next().getInteger(0) >= 140000
                  ? "SELECT set_config('idle_session_timeout', $1, false),"
                      + " set_config('tcp_user_timeout', $1, false)"
                  : "SELECT set_config('tcp_user_timeout', $1, false)";
              return c.preparedQuery(sql).execute(Tuple.of(Long.toString(millis)));
            })
            .map(c)
            .onFailure(e -> c.close()));
  }

  private void adopt(PgConnection c) {
    connection = c;
    c.closeHandler(v -> {
      if (connection == c) {
        connection = null;
        if (owner) {
          owner = false;
          LOG.warn("target {}: ownership lost: the lock connection closed", spec.name());
        }
      }
    });
  }
}
