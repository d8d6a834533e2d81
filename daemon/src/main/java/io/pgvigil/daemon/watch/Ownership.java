package io.pgvigil.daemon.watch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * {@code idle_session_timeout} (PostgreSQL 14+) and {@code tcp_user_timeout} to the lease: the
 * owner confirms the lock every heartbeat, and a server that hears nothing for a lease ends the
 * session and frees the lock. The owner steps down by itself when a confirmation fails, before the
 * server frees the lock, so two instances never act at once on one database.
 */
public final class Ownership {

  private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);
  /** The classid of pgvigil's advisory locks: "pgvg" in ASCII. */
  public static final int NAMESPACE = 0x70677667;

  private final TargetSpec spec;
  private final int key;
  private final Duration lease;
  private final Duration stepTimeout;
  private Future<Boolean> inFlight;
  private PgConnection connection;
  private volatile boolean owner;
  /** This instance took the lock last step only to see that nobody held it (over its share). */
  private boolean seenFree;

  /**
   * @param lease how long the server keeps a silent lock session; a confirmation that takes longer
   *     than {@code connectTimeout + queryTimeout} gives the lock up first
   */
  public Ownership(TargetSpec spec, String cluster, Duration lease) {
    this.spec = spec;
    this.key = key(cluster, spec.name());
    this.lease = lease;
    this.stepTimeout = spec.connectTimeout().plus(spec.queryTimeout());
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

  public boolean owned() {
    return owner;
  }

  /**
   * One step after a heartbeat that answered: the owner confirms its lock, another instance tries
   * to take it. Completes with whether this instance owns the target now.
   */
  Future<Boolean> step(Vertx vertx, Owners share) {
    if (inFlight != null && !inFlight.isComplete()) {
      return inFlight;
    }
    Future<PgConnection> connected = connection != null ? Future.succeededFuture(connection) : connect(vertx);
    // A step that hangs (a lock connection silently cut) must not leave this instance believing it
    // owns the target while the server ends the session and another instance takes the lock.
    inFlight = connected
        .compose(c -> (owner ? confirm(c) : tryTake(c, share)).timeout(stepTimeout.toMillis(), TimeUnit.MILLISECONDS))
        .recover(e -> {
          if (owner) {
            LOG.warn("target {}: ownership lost: {}", spec.name(), Failures.message(e));
          }
          release();
          return Future.succeededFuture(false);
        })
        .map(now -> {
          owner = now;
          return now;
        });
    return inFlight;
  }

  /** Gives the target to another instance (closing the connection frees the lock); never fails. */
  Future<Void> release() {
    owner = false;
    seenFree = false;
    PgConnection c = connection;
    connection = null;
    return c == null ? Future.succeededFuture() : c.close().recover(e -> Future.succeededFuture());
  }

  /**
   * A session-level lock lasts as long as its session: a query that still answers on the same
   * connection proves it. (Reading pg_locks would prove no more, and costs a walk of the whole lock
   * table, which in a pileup is tens of milliseconds every heartbeat.)
   */
  private Future<Boolean> confirm(PgConnection c) {
    return c.query("SELECT 1").execute().map(true);
  }

  private Future<Boolean> tryTake(PgConnection c, Owners share) {
    return c.preparedQuery("SELECT pg_try_advisory_lock($1, $2)").execute(Tuple.of(NAMESPACE, key))
        .compose(rows -> {
          boolean took = rows.iterator().next().getBoolean(0);
          if (took && !share.underShare() && !seenFree) {
            // Over this instance's share: the target is free, but one under its share may take it;
            // if it is still free at the next step, nobody else could, and this instance keeps it.
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
            .onFailure(e -> c.close()))
        .onSuccess(c -> {
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
        });
  }
}
