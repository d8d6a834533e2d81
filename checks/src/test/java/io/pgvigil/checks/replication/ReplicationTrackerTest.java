package io.pgvigil.checks.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.replication.ReplicationFinding.InactiveSlotGrowing;
import io.pgvigil.checks.replication.ReplicationFinding.ReceiverNotStreaming;
import io.pgvigil.checks.replication.ReplicationFinding.ReplayPaused;
import io.pgvigil.checks.replication.ReplicationFinding.ReplicaNotInRecovery;
import io.pgvigil.checks.replication.ReplicationFinding.SlotWalAtRisk;
import io.pgvigil.checks.replication.ReplicationFinding.StandbyGone;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplicationTrackerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final long MB = 1024 * 1024;

  private final ReplicationTracker tracker = new ReplicationTracker();

  @Test
  void reportsConfiguredReplicaSeenBeforeAsGoneWithoutLag() {
    tracker.update(T0, primary(List.of(standby("replica-1", 0L)), List.of()), Map.of(), Set.of("replica-1"));

    ReplicationReport report = tracker.update(T0.plusSeconds(1), primary(List.of(), List.of()), Map.of(),
        Set.of("replica-1"));

    assertThat(report.findings()).containsExactly(new StandbyGone("replica-1", T0));
    assertThat(report.replicas()).singleElement().satisfies(lag -> {
      assertThat(lag.gone()).isTrue();
      assertThat(lag.replayLagBytes()).isNull();
      assertThat(lag.replayLagSeconds()).isNull();
      assertThat(lag.writeLagSeconds()).isNull();
      assertThat(lag.flushLagSeconds()).isNull();
    });
  }

  @Test
  void reportsExpectedStandbyNeverSeenAsGone() {
    ReplicationReport report = tracker.update(T0, primary(List.of(), List.of()), Map.of(), Set.of("replica-2"));

    assertThat(report.findings()).containsExactly(new StandbyGone("replica-2", null));
  }

  @Test
  void standbyThatComesBackIsNoLongerGone() {
    tracker.update(T0, primary(List.of(standby("replica-1", 0L)), List.of()), Map.of(), Set.of("replica-1"));
    tracker.update(T0.plusSeconds(1), primary(List.of(), List.of()), Map.of(), Set.of("replica-1"));

    ReplicationReport report = tracker.update(T0.plusSeconds(2),
        primary(List.of(standby("replica-1", 0L)), List.of()), Map.of(), Set.of("replica-1"));

    assertThat(report.findings()).isEmpty();
    assertThat(report.replicas()).singleElement().satisfies(lag -> {
      assertThat(lag.gone()).isFalse();
      assertThat(lag.replayLagBytes()).isZero();
    });
  }

  @Test
  void anUnconfiguredSenderThatLeavesIsNeitherGoneNorListed() {
    tracker.update(T0, primary(List.of(standby("replica-1", 0L), standby("pg_basebackup", 0L)), List.of()),
        Map.of(), Set.of("replica-1"));

    ReplicationReport report = tracker.update(T0.plusSeconds(1),
        primary(List.of(standby("replica-1", 0L)), List.of()), Map.of(), Set.of("replica-1"));

    assertThat(report.findings()).isEmpty();
    assertThat(report.replicas()).extracting(ReplicaLag::name).containsExactly("replica-1");
  }

  @Test
  void reportsInactiveSlotGrowingBy16MbOverThreePolls() {
    assertThat(slotPoll(0, slot("idle", false, 1 * MB)).findings()).isEmpty();
    assertThat(slotPoll(1, slot("idle", false, 9 * MB)).findings()).isEmpty();

    ReplicationReport report = slotPoll(2, slot("idle", false, 17 * MB));

    assertThat(report.findings()).containsExactly(new InactiveSlotGrowing("idle", 17 * MB, 16 * MB, T0));
  }

  @Test
  void ignoresInactiveSlotGrowingLessThanThreshold() {
    for (int i = 0; i < 10; i++) {
      assertThat(slotPoll(i, slot("idle", false, MB + i * 1024L)).findings()).isEmpty();
    }
  }

  @Test
  void ignoresGrowthOfActiveSlot() {
    for (int i = 0; i < 5; i++) {
      assertThat(slotPoll(i, slot("replica_1", true, i * 32 * MB)).findings()).isEmpty();
    }
  }

  @Test
  void slotThatWasActiveInBetweenStartsOver() {
    slotPoll(0, slot("s", false, 0L));
    slotPoll(1, slot("s", false, 20 * MB));
    slotPoll(2, slot("s", true, 30 * MB));
    slotPoll(3, slot("s", false, 40 * MB));

    assertThat(slotPoll(4, slot("s", false, 50 * MB)).findings()).isEmpty();
    assertThat(slotPoll(5, slot("s", false, 60 * MB)).findings())
        .containsExactly(new InactiveSlotGrowing("s", 60 * MB, 20 * MB, T0.plusSeconds(3)));
  }

  @Test
  void growthOutsideTheWindowDoesNotCount() {
    tracker.update(T0, primary(List.of(), List.of(slot("s", false, 0L))), Map.of(), Set.of());
    for (int i = 1; i <= 5; i++) {
      // Each poll comes a minute after the ten-minute window has left the one before behind.
      ReplicationReport report = tracker.update(T0.plusSeconds(660L * i),
          primary(List.of(), List.of(slot("s", false, 20 * MB + i))), Map.of(), Set.of());
      assertThat(report.findings()).isEmpty();
    }
  }

  @Test
  void slotWithoutRetainedWalIsNotGrowing() {
    for (int i = 0; i < 5; i++) {
      assertThat(slotPoll(i, slot("unreserved_slot", false, null)).findings()).isEmpty();
    }
  }

  @Test
  void reportsUnreservedAndLostSlots() {
    ReplicationSlot unreserved = new ReplicationSlot("a", "physical", null, false, null, 64 * MB, "unreserved",
        -MB, null, null);
    ReplicationSlot lost = new ReplicationSlot("b", "physical", null, false, null, null, "lost", null, null,
        "wal_removed");

    assertThat(slotPoll(0, unreserved, lost).findings()).containsExactly(
        new SlotWalAtRisk("a", "unreserved", -MB, null),
        new SlotWalAtRisk("b", "lost", null, "wal_removed"));
  }

  @Test
  void reportsReplicaFindingsFromItsOwnView() {
    ReplicationReport report = tracker.update(T0, primary(List.of(standby("r1", 0L), standby("r2", 0L),
        standby("r3", 0L)), List.of()),
        Map.of("r1", replica(false, null, null), "r2", replica(true, "waiting", "not paused"),
            "r3", replica(true, "streaming", "paused")),
        Set.of("r1", "r2", "r3"));

    assertThat(report.findings()).containsExactlyInAnyOrder(new ReplicaNotInRecovery("r1"),
        new ReceiverNotStreaming("r2", "waiting"), new ReplayPaused("r3", "paused"));
    assertThat(report.replicas()).filteredOn(lag -> lag.name().equals("r3")).singleElement()
        .satisfies(lag -> assertThat(lag.paused()).isTrue());
  }

  @Test
  void nullLagIsZeroOnlyWhenCaughtUp() {
    assertThat(StandbyReplication.lagSeconds(null, 0L)).isZero();
    assertThat(StandbyReplication.lagSeconds(null, 8192L)).isNull();
    assertThat(StandbyReplication.lagSeconds(null, null)).isNull();
    assertThat(StandbyReplication.lagSeconds(1.5, 8192L)).isEqualTo(1.5);
  }

  @Test
  void caughtUpStandbyHasNoLagHoweverOldItsLastCommit() {
    // After a primary restart on an idle cluster the replica's receive position runs ahead of replay for a
    // while, and its own view (now - last replayed commit) reads the whole idle spell: 287 s.
    ReplicaStatus replica = replicaAt(lsn(0x3000148), 287.0);

    for (int second = 0; second < 40; second++) {
      ReplicationReport report = tracker.update(T0.plusSeconds(second),
          primaryAt(lsn(0x3000148), standbyAt("replica-1", lsn(0x3000148), null)),
          Map.of("replica-1", replica), Set.of("replica-1"));

      assertThat(lagOf(report, "replica-1")).as("second %d", second).isZero();
    }
  }

  @Test
  void pausedReplicaLagCountsFromTheFirstUnreplayedWalNotFromItsIdleTime() {
    long position = 0x5000000;
    Instant lastCommit = T0;
    int idleSeconds = 60;
    for (int second = 0; second < idleSeconds; second++) {
      Instant now = T0.plusSeconds(second);
      ReplicationReport report = tracker.update(now,
          primaryAt(lsn(position), standbyAt("replica-1", lsn(position), null)),
          Map.of("replica-1", replicaAt(lsn(position), 0.0)), Set.of("replica-1"));
      assertThat(lagOf(report, "replica-1")).isZero();
    }

    // Replay pauses at `position` while a backfill writes 1 MB a second to the primary.
    long paused = position;
    int pauseSeconds = 30;
    double lag = 0;
    for (int second = 0; second <= pauseSeconds; second++) {
      Instant now = T0.plusSeconds(idleSeconds + second);
      position += 1024 * 1024;
      // What the replica itself would say (now - last replayed commit), and what pg_stat_replication
      // says: the standby reported its paused position a while ago.
      double sinceCommit = Duration.between(lastCommit, now).toSeconds();
      ReplicationReport report = tracker.update(now,
          primaryAt(lsn(position), standbyAt("replica-1", lsn(paused), (double) second)),
          Map.of("replica-1", replicaAt(lsn(paused), sinceCommit)), Set.of("replica-1"));
      lag = lagOf(report, "replica-1");
      assertThat(lag).as("lag %d s into the pause", second).isLessThanOrEqualTo(second + 1.0);
    }
    assertThat(lag).as("the lag grew with the pause").isGreaterThanOrEqualTo(pauseSeconds - 1.0);

    ReplicationReport resumed = tracker.update(T0.plusSeconds(idleSeconds + pauseSeconds + 1),
        primaryAt(lsn(position), standbyAt("replica-1", lsn(paused), 30.0)),
        Map.of("replica-1", replicaAt(lsn(position), 0.0)), Set.of("replica-1"));
    assertThat(lagOf(resumed, "replica-1")).as("caught up after resume").isZero();
  }

  @Test
  void standbyWithoutItsOwnViewIsJudgedByTheReplayPositionItReported() {
    tracker.update(T0, primaryAt(lsn(0x100), standbyAt("basebackup-standby", lsn(0x100), null)), Map.of(), Set.of());
    tracker.update(T0.plusSeconds(1), primaryAt(lsn(0x200), standbyAt("basebackup-standby", lsn(0x100), null)),
        Map.of(), Set.of());

    ReplicationReport report = tracker.update(T0.plusSeconds(5),
        primaryAt(lsn(0x300), standbyAt("basebackup-standby", lsn(0x100), null)), Map.of(), Set.of());

    assertThat(lagOf(report, "basebackup-standby")).isEqualTo(4.0);
    assertThat(report.replicas()).singleElement().satisfies(lag -> assertThat(lag.configured()).isFalse());
  }

  @Test
  void lagOlderThanTheFirstSampleIsAtLeastThePrimarysReplayLag() {
    ReplicationReport report = tracker.update(T0,
        primaryAt(lsn(0x9000000), standbyAt("replica-1", lsn(0x100), 42.5)), Map.of(), Set.of("replica-1"));

    assertThat(lagOf(report, "replica-1")).isEqualTo(42.5);
    assertThat(report.replicas()).singleElement().satisfies(lag -> assertThat(lag.configured()).isTrue());
  }

  @Test
  void aStaleReplayLagDoesNotInflateALagTheSamplesCanDate() {
    // Idle for a minute: the standby's last status message (and replay_lag with it) is that old.
    tracker.update(T0, primaryAt(lsn(0x100), standbyAt("replica-1", lsn(0x100), null)), Map.of(), Set.of());
    tracker.update(T0.plusSeconds(60), primaryAt(lsn(0x200), standbyAt("replica-1", lsn(0x100), 60.0)),
        Map.of(), Set.of());

    ReplicationReport report = tracker.update(T0.plusSeconds(62),
        primaryAt(lsn(0x300), standbyAt("replica-1", lsn(0x100), 62.0)), Map.of(), Set.of());

    assertThat(lagOf(report, "replica-1")).isEqualTo(2.0);
  }

  @Test
  void lagIsUnknownWithoutAnyReplayPositionOrPrimaryMeasure() {
    ReplicationReport report = tracker.update(T0,
        primaryAt(lsn(0x9000000), standbyAt("replica-1", null, null)), Map.of(), Set.of());

    assertThat(report.replicas()).singleElement()
        .satisfies(lag -> assertThat(lag.replayDelaySeconds()).isNull());
  }

  @Test
  void keepsABoundedNumberOfPositionsAndStillReportsAtLeastTheirSpan() {
    WalPositions positions = new WalPositions();
    for (int second = 0; second < 3000; second++) {
      positions.observe(T0.plusSeconds(second), 0x1000L + second);
    }

    assertThat(positions.size()).isEqualTo(WalPositions.CAPACITY);
    // Behind by all 3000 s, but only the last 1024 are remembered: at least 1024 s, never 0.
    assertThat(positions.secondsBehind(T0.plusSeconds(3000), 0x1000L, null)).isEqualTo(1024.0);
    assertThat(positions.secondsBehind(T0.plusSeconds(3000), 0x1000L, 2990.0)).isEqualTo(2990.0);
  }

  @Test
  void positionThatGoesBackStartsOver() {
    WalPositions positions = new WalPositions();
    positions.observe(T0, 0x9000L);
    positions.observe(T0.plusSeconds(10), 0x100L);

    assertThat(positions.size()).isEqualTo(1);
    assertThat(positions.secondsBehind(T0.plusSeconds(12), 0x50L, null)).isEqualTo(2.0);
  }

  @Test
  void parsesPgLsnText() {
    assertThat(WalPositions.parse("16/B374D848")).isEqualTo(0x16B374D848L);
    assertThat(WalPositions.parse("0/0")).isZero();
    assertThat(WalPositions.parse("FFFFFFFF/FFFFFFFF")).isEqualTo(-1L);
    assertThat(WalPositions.parse(null)).isNull();
  }

  private ReplicationReport slotPoll(int second, ReplicationSlot... slots) {
    return tracker.update(T0.plusSeconds(second), primary(List.of(), List.of(slots)), Map.of(), Set.of());
  }

  private static String lsn(long position) {
    return String.format("%X/%X", position >>> 32, position & 0xFFFFFFFFL);
  }

  private static PrimaryReplication primaryAt(String currentLsn, StandbyReplication... standbys) {
    return new PrimaryReplication(OffsetDateTime.now(ZoneOffset.UTC), 170_000, false, currentLsn, List.of(standbys),
        List.of(), List.of());
  }

  private static StandbyReplication standbyAt(String name, String replayLsn, Double replayLagSeconds) {
    return new StandbyReplication(100, name, "127.0.0.1", "streaming", "async", 0L, 0L, null,
        0.0, 0.0, replayLagSeconds, false, replayLsn);
  }

  /** A streaming replica that has replayed up to {@code replayLsn}, and its own (idle-blind) delay. */
  private static ReplicaStatus replicaAt(String replayLsn, double ownDelaySeconds) {
    return new ReplicaStatus(OffsetDateTime.now(ZoneOffset.UTC), 170_000, true, replayLsn, 1L, null,
        ownDelaySeconds, "not paused", false, "streaming", null, null, List.of());
  }

  private static double lagOf(ReplicationReport report, String name) {
    return report.replicas().stream().filter(lag -> lag.name().equals(name)).findFirst().orElseThrow()
        .replayDelaySeconds();
  }

  private static PrimaryReplication primary(List<StandbyReplication> standbys, List<ReplicationSlot> slots) {
    return new PrimaryReplication(OffsetDateTime.now(ZoneOffset.UTC), 170_000, false, "0/3000000", standbys, slots,
        List.of());
  }

  private static StandbyReplication standby(String name, Long replayLagBytes) {
    return new StandbyReplication(100, name, "127.0.0.1", "streaming", "async", 0L, 0L,
        replayLagBytes,
        StandbyReplication.lagSeconds(null, 0L), StandbyReplication.lagSeconds(null, 0L),
        StandbyReplication.lagSeconds(null, replayLagBytes), false, "0/3000000");
  }

  private static ReplicationSlot slot(String name, boolean active, Long retainedBytes) {
    return new ReplicationSlot(name, "physical", null, active, active ? 200 : null, retainedBytes, "reserved",
        null, null, null);
  }

  private static ReplicaStatus replica(boolean inRecovery, String receiverStatus, String pauseState) {
    return new ReplicaStatus(OffsetDateTime.now(ZoneOffset.UTC), 170_000, inRecovery, "0/3000000",
        0L, null, receiverStatus == null || !receiverStatus.equals("streaming") ? null : 0.0,
        pauseState, pauseState == null ? null : !"not paused".equals(pauseState), receiverStatus,
        null, null, List.of());
  }
}
