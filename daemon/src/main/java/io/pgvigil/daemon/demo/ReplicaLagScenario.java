package io.pgvigil.daemon.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replica lag on demand: the demo pauses WAL replay on its replica ({@code pg_wal_replay_pause()}) while a "backfill"
 * writes to the primary, so lag grows in seconds and bytes; then it resumes replay and the lag drains. Every
 * {@link #CYCLE_SECONDS}, starting {@code delaySeconds} after start.
 */
final class ReplicaLagScenario implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLagScenario.class);
  static final int PAUSE_SECONDS = 30;
  static final int CYCLE_SECONDS = 120;

  private final String primaryUrl;
  private final String replicaUrl;
  private final ScheduledExecutorService clock =
      Executors.newSingleThreadScheduledExecutor(Demo.daemonThreads("pgvigil-demo-replica-lag"));
  private ScheduledFuture<?> backfill;

  private ReplicaLagScenario(String primaryUrl, String replicaUrl) {
    this.primaryUrl = primaryUrl;
    this.replicaUrl = replicaUrl;
  }

  static ReplicaLagScenario start(String primaryUrl, String replicaUrl, int delaySeconds) {
    ReplicaLagScenario scenario = new ReplicaLagScenario(primaryUrl, replicaUrl);
    scenario.clock.scheduleAtFixedRate(scenario::pause, delaySeconds, CYCLE_SECONDS, TimeUnit.SECONDS);
    return scenario;
  }

  private void pause() {
    replay("pg_wal_replay_pause()");
    backfill = clock.scheduleAtFixedRate(this::write, 0, 2, TimeUnit.SECONDS);
    clock.schedule(this::resume, PAUSE_SECONDS, TimeUnit.SECONDS);
  }

  private void resume() {
    if (backfill != null) {
      backfill.cancel(false);
    }
    replay("pg_wal_replay_resume()");
  }

  /** A bounded burst of writes: 5,000 audit rows (the 2026 partition, whatever today's date). */
  private void write() {
    try (Connection c = DriverManager.getConnection(primaryUrl); Statement s = c.createStatement()) {
      s.execute("INSERT INTO audit_log (occurred_at, actor, action, details) "
          + "SELECT timestamptz '2026-06-01' + g * interval '1 second', 'demo', 'backfill', "
          + "jsonb_build_object('n', g) FROM generate_series(1, 5000) g");
    } catch (SQLException e) {
      LOG.debug("demo replica lag: a write failed: {}", e.getMessage());
    }
  }

  private void replay(String function) {
    try (Connection c = DriverManager.getConnection(replicaUrl); Statement s = c.createStatement()) {
      s.execute("SELECT " + function);
    } catch (SQLException e) {
      LOG.debug("demo replica lag: {} failed: {}", function, e.getMessage());
    }
  }

  @Override
  public void close() {
    clock.shutdownNow();
    replay("pg_wal_replay_resume()");
  }
}
