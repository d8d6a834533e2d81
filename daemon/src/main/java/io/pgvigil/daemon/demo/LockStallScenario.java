package io.pgvigil.daemon.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stall every migration guide warns about, replayed in a loop so a newcomer can watch it form and clear: a session
 * sits idle in a transaction holding a row lock on {@code inventory}; an {@code ALTER TABLE inventory ADD COLUMN} (in a
 * transaction it rolls back, so the schema is unchanged) waits for its AccessExclusiveLock behind it; a new reader
 * queues behind the ALTER every few seconds. After {@link #STALL_SECONDS} the idle session rolls back and everything
 * drains; the next round starts {@link #PAUSE_SECONDS} later. The ALTER runs as the migration (its own role and
 * application_name): inside the window that opens, the kill switch cancels it once enough readers queue.
 */
final class LockStallScenario implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LockStallScenario.class);
  static final int STALL_SECONDS = 40;
  static final int PAUSE_SECONDS = 20;
  private static final int READER_EVERY_SECONDS = 3;
  private static final int MAX_READERS = 10;

  private final String jdbcUrl;
  private final String migrationUrl;
  private final ScheduledExecutorService clock =
      Executors.newSingleThreadScheduledExecutor(Demo.daemonThreads("pgvigil-demo-stall"));
  private final ExecutorService blocked = Executors.newCachedThreadPool(Demo.daemonThreads("pgvigil-demo-session"));
  private final Set<Connection> round = new HashSet<>();

  private LockStallScenario(String jdbcUrl, String migrationUrl) {
    this.jdbcUrl = jdbcUrl;
    this.migrationUrl = migrationUrl;
  }

  /** {@code migrationUrl}: where the ALTER connects, as the migration's role and application. */
  static LockStallScenario start(String jdbcUrl, String migrationUrl, int delaySeconds) {
    LockStallScenario scenario = new LockStallScenario(jdbcUrl, migrationUrl);
    scenario.clock.schedule(scenario::beginRound, delaySeconds, TimeUnit.SECONDS);
    return scenario;
  }

  private void beginRound() {
    try {
      Connection holder = open(jdbcUrl);
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("UPDATE inventory SET reserved = reserved WHERE product_id = 1");
      }
      clock.schedule(this::startAlter, 2, TimeUnit.SECONDS);
      for (int i = 0; i < MAX_READERS; i++) {
        clock.schedule(this::startReader, 4 + (long) i * READER_EVERY_SECONDS, TimeUnit.SECONDS);
      }
      clock.schedule(() -> endRound(holder), STALL_SECONDS, TimeUnit.SECONDS);
    } catch (SQLException e) {
      LOG.warn("demo lock stall: cannot start a round: {}", e.getMessage());
    }
  }

  private void startAlter() {
    session(migrationUrl, "the ALTER", s -> {
      s.getConnection().setAutoCommit(false);
      s.execute("ALTER TABLE inventory ADD COLUMN restock_note text");
      s.getConnection().rollback();
    });
  }

  private void startReader() {
    session(jdbcUrl, "a reader", s -> s.executeQuery("SELECT count(*) FROM inventory").close());
  }

  private void session(String url, String who, SqlWork work) {
    blocked.submit(() -> {
      Connection c = open(url);
      try (c; Statement s = c.createStatement()) {
        work.run(s);
      } catch (SQLException e) {
        LOG.debug("demo lock stall: {} ended: {}", who, e.getMessage());
      } finally {
        forget(c);
      }
      return null;
    });
  }

  private interface SqlWork {
    void run(Statement s) throws SQLException;
  }

  private void endRound(Connection holder) {
    try (holder) {
      holder.rollback();
    } catch (SQLException e) {
      LOG.debug("demo lock stall: releasing the holder: {}", e.getMessage());
    } finally {
      forget(holder);
    }
    clock.schedule(this::beginRound, PAUSE_SECONDS, TimeUnit.SECONDS);
  }

  private Connection open(String url) throws SQLException {
    Connection c = DriverManager.getConnection(url);
    synchronized (round) {
      round.add(c);
    }
    return c;
  }

  private void forget(Connection c) {
    synchronized (round) {
      round.remove(c);
    }
  }

  @Override
  public void close() {
    clock.shutdownNow();
    blocked.shutdownNow();
    synchronized (round) {
      for (Connection c : round) {
        try {
          c.close();
        } catch (SQLException e) {
          LOG.debug("demo lock stall: closing a session: {}", e.getMessage());
        }
      }
      round.clear();
    }
  }
}
