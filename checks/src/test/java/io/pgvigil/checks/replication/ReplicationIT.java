package io.pgvigil.checks.replication;

import static io.pgvigil.checks.testing.Sql.execute;
import static io.pgvigil.checks.testing.TestPools.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.replication.ReplicationFinding.InactiveSlotGrowing;
import io.pgvigil.checks.replication.ReplicationFinding.StandbyGone;
import io.pgvigil.checks.testing.ReplicaPair;
import io.pgvigil.checks.testing.ReplicaPairExtension;
import io.pgvigil.checks.testing.TestPools;
import io.pgvigil.checks.testing.WalStream;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ReplicaPairExtension.class)
class ReplicationIT {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private static Vertx vertx;
  private static Pool primaryPool;
  private static Pool replicaPool;
  private static Pool watcherPrimaryPool;
  private static Pool watcherReplicaPool;

  private final PrimaryReplicationProbe primaryProbe = new PrimaryReplicationProbe();
  private final ReplicaProbe replicaProbe = new ReplicaProbe();

  @BeforeAll
  static void setUp(ReplicaPair pair) throws Exception {
    // The standby reports its replay position every wal_receiver_status_interval (default 10 s) when it
    // receives nothing: 1 s lets the primary see a resumed replay catch up within the test's patience.
    execute(pair.replica(), "ALTER SYSTEM SET wal_receiver_status_interval = '1s'");
    execute(pair.replica(), "SELECT pg_reload_conf()");
    execute(pair.primary(), "CREATE ROLE watcher LOGIN IN ROLE pg_monitor");
    execute(pair.primary(), "CREATE TABLE marks (id bigint)");
    vertx = Vertx.vertx();
    primaryPool = TestPools.pool(vertx, pair.primary());
    replicaPool = TestPools.pool(vertx, pair.replica());
    watcherPrimaryPool = TestPools.pool(vertx, pair.primary(), "watcher", null);
    watcherReplicaPool = TestPools.pool(vertx, pair.replica(), "watcher", null);
  }

  @AfterAll
  static void tearDown() throws Exception {
    for (Pool pool : List.of(primaryPool, replicaPool, watcherPrimaryPool, watcherReplicaPool)) {
      await(pool.close());
    }
    await(vertx.close());
  }

  @BeforeEach
  void replicaStreamsAndHasReplayedATransaction(ReplicaPair pair) throws Exception {
    // A commit replayed since the replica started gives pg_last_xact_replay_timestamp() a value.
    execute(pair.primary(), "INSERT INTO marks VALUES (1)");
    await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
      assertThat(standby(pollPrimary()).state()).isEqualTo("streaming");
      ReplicaStatus replica = pollReplica();
      assertThat(replica.streaming()).isTrue();
      assertThat(replica.replayDelaySeconds()).isZero();
      assertThat(replica.lastReplayTime()).isNotNull();
    });
  }

  @Test
  void lagGrowsWhileReplayIsPausedAndReturnsToZeroAfterResume(ReplicaPair pair) throws Exception {
    execute(pair.replica(), "SELECT pg_wal_replay_pause()");
    try {
      await().atMost(PATIENCE).untilAsserted(() -> {
        execute(pair.primary(), "INSERT INTO marks SELECT generate_series(1, 1000)");
        StandbyReplication standby = standby(pollPrimary());
        assertThat(standby.replayLagBytes()).isPositive();
        assertThat(standby.replayLagSeconds()).isNotNull().isPositive();
        ReplicaStatus replica = pollReplica();
        assertThat(replica.pauseState()).isEqualTo("paused");
        assertThat(replica.paused()).isTrue();
        assertThat(replica.replayGapBytes()).isPositive();
        assertThat(replica.replayDelaySeconds()).isNotNull().isPositive();
      });
      long before = standby(pollPrimary()).replayLagBytes();
      execute(pair.primary(), "CREATE TABLE paused_backfill AS SELECT generate_series(1, 200000) AS id");
      await().atMost(PATIENCE).untilAsserted(() -> {
        assertThat(standby(pollPrimary()).replayLagBytes()).isGreaterThan(before + 1_000_000);
        assertThat(pollReplica().replayGapBytes()).isGreaterThan(1_000_000);
      });
    } finally {
      execute(pair.replica(), "SELECT pg_wal_replay_resume()");
    }

    await().atMost(PATIENCE).untilAsserted(() -> {
      ReplicaStatus replica = pollReplica();
      assertThat(replica.paused()).isFalse();
      assertThat(replica.replayGapBytes()).isZero();
      assertThat(replica.replayDelaySeconds()).isZero();
      // "About zero": an idle primary may still write a record of its own (a checkpoint, a running-xacts snapshot).
      assertThat(standby(pollPrimary()).replayLagBytes()).isLessThan(64 * 1024);
    });
  }

  @Test
  void idlePrimaryShowsNoGrowingReplayDelay() throws Exception {
    ReplicaStatus first = pollReplica();
    double naiveFirst = naiveDelaySeconds(first);

    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(pollReplica().replayDelaySeconds()).isZero());

    // What now() - pg_last_xact_replay_timestamp() alone would report: it grew with the idle time.
    assertThat(naiveDelaySeconds(pollReplica())).isGreaterThan(naiveFirst + 2.5);
  }

  @Test
  void replicaIdleThenPausedDuringWritesLagsNoMoreThanThePause(ReplicaPair pair) throws Exception {
    ReplicationTracker tracker = new ReplicationTracker();
    // Idle and caught up: no lag, however old the last commit gets (6 s here; the old measure, the age of
    // the last replayed commit, counted all of it once replay paused).
    List<Double> idle = new ArrayList<>();
    Instant idleUntil = Instant.now().plusSeconds(6);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
      idle.add(lag(tracker, pair));
      return Instant.now().isAfter(idleUntil);
    });
    assertThat(idle).isNotEmpty().allSatisfy(lag -> assertThat(lag).isLessThan(1.0));

    int pauseSeconds = 5;
    List<double[]> paused = new ArrayList<>();
    Instant pausedAt = Instant.now();
    execute(pair.replica(), "SELECT pg_wal_replay_pause()");
    try {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
        execute(pair.primary(), "INSERT INTO marks SELECT generate_series(1, 100)");
        double lag = lag(tracker, pair);
        double elapsed = Duration.between(pausedAt, Instant.now()).toNanos() / 1e9;
        paused.add(new double[] {elapsed, lag});
        return elapsed >= pauseSeconds;
      });
    } finally {
      execute(pair.replica(), "SELECT pg_wal_replay_resume()");
    }

    assertThat(paused).allSatisfy(sample -> assertThat(sample[1])
        .as("lag %.2f s into the pause", sample[0]).isLessThanOrEqualTo(sample[0] + 1.0));
    assertThat(paused.get(paused.size() - 1)[1]).as("the lag grew with the pause")
        .isGreaterThanOrEqualTo(pauseSeconds - 1.5);
    await().atMost(PATIENCE).untilAsserted(() -> assertThat(lag(tracker, pair)).isZero());
  }

  @Test
  void caughtUpReplicaHasNoLagAfterThePrimaryRestarts(ReplicaPair pair) throws Exception {
    // The primary's shutdown checkpoint and its new start write WAL the replica must receive and replay
    // across a reconnect; once it streams again it is caught up, and its lag is 0, not the idle time.
    ReplicationTracker tracker = new ReplicationTracker();
    pair.primary().stop();
    pair.primary().start();
    await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
      assertThat(standby(pollPrimary()).state()).isEqualTo("streaming");
      assertThat(pollReplica().streaming()).isTrue();
    });

    List<Double> lags = new ArrayList<>();
    Instant until = Instant.now().plusSeconds(5);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
      lags.add(lag(tracker, pair));
      return Instant.now().isAfter(until);
    });

    assertThat(lags).isNotEmpty().allSatisfy(lag -> assertThat(lag).isLessThan(1.0));
  }

  @Test
  void stoppedStandbyIsReportedGoneAndNotAsZeroLag(ReplicaPair pair) throws Exception {
    ReplicationTracker tracker = new ReplicationTracker();
    Instant seen = Instant.now();
    Set<String> configured = Set.of(pair.replicaName());
    ReplicationReport before = tracker.update(seen, pollPrimary(), Map.of(pair.replicaName(), pollReplica()),
        configured);
    assertThat(before.findings()).isEmpty();
    assertThat(before.replicas()).singleElement().satisfies(lag -> assertThat(lag.gone()).isFalse());

    pair.replica().stop();
    try {
      await().atMost(PATIENCE).untilAsserted(() -> {
        // The replica's own probe fails while it is down: the daemon passes no status for it.
        ReplicationReport report = tracker.update(Instant.now(), pollPrimary(), Map.of(), configured);
        assertThat(report.findings()).contains(new StandbyGone(pair.replicaName(), seen));
        assertThat(report.replicas()).filteredOn(lag -> lag.name().equals(pair.replicaName()))
            .singleElement().satisfies(lag -> {
              assertThat(lag.gone()).isTrue();
              assertThat(lag.replayLagBytes()).isNull();
              assertThat(lag.replayLagSeconds()).isNull();
              assertThat(lag.flushLagSeconds()).isNull();
              assertThat(lag.writeLagSeconds()).isNull();
              assertThat(lag.replayDelaySeconds()).isNull();
            });
      });
    } finally {
      pair.replica().start();
    }
    await().atMost(PATIENCE).untilAsserted(
        () -> assertThat(tracker.update(Instant.now(), pollPrimary(), Map.of(), configured).findings()).isEmpty());
  }

  @Test
  void aWalSenderThatIsNotAConfiguredReplicaLeavesWithoutBeingReportedGone(ReplicaPair pair) throws Exception {
    ReplicationTracker tracker = new ReplicationTracker();
    Set<String> configured = Set.of(pair.replicaName());
    try (WalStream backup = WalStream.open(pair.primary(), "pg_basebackup")) {
      await().atMost(PATIENCE).untilAsserted(() -> assertThat(
          tracker.update(Instant.now(), pollPrimary(), Map.of(), configured).replicas())
          .filteredOn(lag -> lag.name().equals("pg_basebackup")).singleElement().satisfies(lag -> {
            assertThat(lag.gone()).isFalse();
            assertThat(lag.configured()).isFalse();
          }));
    }

    await().atMost(PATIENCE).untilAsserted(() -> {
      ReplicationReport report = tracker.update(Instant.now(), pollPrimary(), Map.of(), configured);
      assertThat(report.replicas()).extracting(ReplicaLag::name).containsExactly(pair.replicaName());
      assertThat(report.findings()).isEmpty();
    });
  }

  @Test
  void inactiveSlotRetainingMoreWalIsReported(ReplicaPair pair) throws Exception {
    execute(pair.primary(), "SELECT pg_create_physical_replication_slot('idle_slot', true)");
    try {
      ReplicationTracker tracker = new ReplicationTracker();
      tracker.update(Instant.now(), pollPrimary(), Map.of(), Set.of());
      int[] batch = {0};
      await().atMost(PATIENCE).untilAsserted(() -> {
        execute(pair.primary(),
            "CREATE TABLE wal_filler_" + ++batch[0] + " AS SELECT generate_series(1, 200000) AS id");
        ReplicationReport report = tracker.update(Instant.now(), pollPrimary(), Map.of(), Set.of());
        assertThat(report.findings()).filteredOn(InactiveSlotGrowing.class::isInstance)
            .map(InactiveSlotGrowing.class::cast)
            .singleElement().satisfies(finding -> {
              assertThat(finding.slot()).isEqualTo("idle_slot");
              assertThat(finding.grewBytes()).isGreaterThanOrEqualTo(ReplicationTracker.DEFAULT_MIN_GROWTH_BYTES);
            });
        assertThat(report.slots()).filteredOn(slot -> slot.name().equals("idle_slot")).singleElement()
            .satisfies(slot -> {
              assertThat(slot.active()).isFalse();
              assertThat(slot.walStatus()).isIn("reserved", "extended");
              if (pair.primary().major() >= 17) {
                assertThat(slot.inactiveSince()).isNotNull();
              } else {
                assertThat(slot.inactiveSince()).isNull();
              }
            });
      });
    } finally {
      execute(pair.primary(), "SELECT pg_drop_replication_slot('idle_slot')");
    }
  }

  @Test
  void pgMonitorRoleSeesWhatTheSuperuserSees(ReplicaPair pair) throws Exception {
    PrimaryReplication superuser = pollPrimary();
    PrimaryReplication watcher = await(primaryProbe.poll(watcherPrimaryPool));

    assertThat(watcher.notes()).noneMatch(note -> note.contains("hidden"));
    assertThat(watcher.standbys()).extracting(StandbyReplication::name, StandbyReplication::state,
        StandbyReplication::syncState, StandbyReplication::clientAddr)
        .isEqualTo(superuser.standbys().stream().map(s -> tuple(s.name(), s.state(),
            s.syncState(), s.clientAddr())).toList());
    assertThat(standby(watcher).replayLagBytes()).isNotNull();
    assertThat(watcher.slots()).extracting(ReplicationSlot::name)
        .isEqualTo(superuser.slots().stream().map(ReplicationSlot::name).toList());

    ReplicaStatus replica = await(replicaProbe.poll(watcherReplicaPool));
    assertThat(replica.inRecovery()).isTrue();
    assertThat(replica.streaming()).isTrue();
    assertThat(replica.senderHost()).isNotNull();
    assertThat(replica.senderPort()).isEqualTo(pair.primary().port());
    assertThat(replica.pauseState()).isEqualTo("not paused");
  }

  @Test
  void primaryProbeOnAStandbyMeasuresFromItsReplayPosition() throws Exception {
    PrimaryReplication cascade = await(primaryProbe.poll(replicaPool));

    assertThat(cascade.standby()).isTrue();
    assertThat(cascade.currentLsn()).isNotNull();
    assertThat(cascade.standbys()).isEmpty();
  }

  @Test
  void replicaProbeOnThePrimaryReportsNotInRecovery() throws Exception {
    ReplicaStatus wrongUrl = await(replicaProbe.poll(primaryPool));

    assertThat(wrongUrl.inRecovery()).isFalse();
    assertThat(wrongUrl.replayDelaySeconds()).isNull();
    assertThat(new ReplicationTracker().update(Instant.now(), pollPrimary(), Map.of("replica-1", wrongUrl),
        Set.of()).findings()).containsExactly(new ReplicationFinding.ReplicaNotInRecovery("replica-1"));
  }

  /** One poll of both sides through the tracker: how far replica-1 is behind now. */
  private double lag(ReplicationTracker tracker, ReplicaPair pair) throws Exception {
    PrimaryReplication primary = pollPrimary();
    ReplicaStatus replica = pollReplica();
    ReplicationReport report = tracker.update(Instant.now(), primary, Map.of(pair.replicaName(), replica),
        Set.of(pair.replicaName()));
    return report.replicas().stream().filter(r -> r.name().equals(pair.replicaName())).findFirst()
        .orElseThrow().replayDelaySeconds();
  }

  private PrimaryReplication pollPrimary() throws Exception {
    return await(primaryProbe.poll(primaryPool));
  }

  private ReplicaStatus pollReplica() throws Exception {
    return await(replicaProbe.poll(replicaPool));
  }

  private static StandbyReplication standby(PrimaryReplication primary) {
    return primary.standbys().stream().filter(s -> ReplicaPairExtension.REPLICA_NAME.equals(s.name()))
        .findFirst().orElseThrow(() -> new AssertionError("replica-1 not in pg_stat_replication: " + primary));
  }

  private static double naiveDelaySeconds(ReplicaStatus replica) {
    return Duration.between(replica.lastReplayTime(), replica.serverTime()).toNanos() / 1e9;
  }
}
