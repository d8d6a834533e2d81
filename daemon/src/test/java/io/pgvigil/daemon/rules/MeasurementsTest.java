package io.pgvigil.daemon.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.locks.BlockingTree;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.LockSummary;
import io.pgvigil.checks.locks.RootBlocker;
import io.pgvigil.checks.replication.ReplicaLag;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.config.RuleKind;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeasurementsTest {

  private static final LockReport STALL = new LockReport(OffsetDateTime.now(), "app",
      new LockSummary(3, 1, 7.2, 2, 14.0, 30, 0, 0, 0),
      List.of(new BlockingTree(new RootBlocker(4242, "app_rw", "psql", "idle in transaction", "client backend",
          30, 30, "UPDATE accounts SET balance = 0 WHERE id = 1", false, OffsetDateTime.now()), List.of(), 2)),
      List.of(), List.of(), List.of(), List.of());

  @Test
  void theCensusCarriesNoStatementUnlessQueryTextIsConfigured() {
    Measurement without = lockQueue(Measurements.of(STALL, false));
    Measurement with = lockQueue(Measurements.of(STALL, true));

    assertThat(without.census()).singleElement().satisfies(b -> {
      assertThat(b.pid()).isEqualTo(4242);
      assertThat(b.state()).isEqualTo("idle in transaction");
      assertThat(b.query()).isNull();
    });
    assertThat(with.census().get(0).query()).isEqualTo("UPDATE accounts SET balance = 0 WHERE id = 1");
  }

  @Test
  void standbyGoneCountsOnlyConfiguredReplicas() {
    ReplicationReport report = new ReplicationReport(java.time.Instant.now(), false,
        List.of(gone("replica-1"), gone("pg_basebackup")), List.of(), List.of(), List.of());

    Measurement standbyGone = Measurements.of(report, java.util.Set.of("replica-1")).stream()
        .filter(m -> m.rule() == RuleKind.STANDBY_GONE).findFirst().orElseThrow();

    assertThat(standbyGone.value()).isEqualTo(1.0);
    assertThat(standbyGone.details()).containsEntry("gone", "replica-1");
  }

  @Test
  void aLogicalConsumerLagsWithoutTriggeringTheLagRules() {
    ReplicaLag cdc = new ReplicaLag("debezium", false, "streaming", "async", "10.0.0.9", null, null, 120.0, null,
        null, 5_000_000_000L, 120.0, null, null, null, null, true, false);
    ReplicaLag standby = new ReplicaLag("replica-1", false, "streaming", "async", "10.0.0.2", null, null, 3.0, null,
        null, 1024L, 3.0, null, null, null, null, false, true);
    ReplicationReport report = new ReplicationReport(java.time.Instant.now(), false, List.of(cdc, standby),
        List.of(), List.of(), List.of());

    assertThat(Measurements.of(report, java.util.Set.of()))
        .filteredOn(m -> m.rule() == RuleKind.REPLICATION_LAG || m.rule() == RuleKind.REPLICATION_LAG_BYTES)
        .extracting(Measurement::object).containsOnly("replica-1");
  }

  @Test
  void replicationLagIsHowFarBehindNowNotTheLastReplayLagThePrimaryMeasured() {
    // Caught up a moment ago: pg_stat_replication still shows the 30 s it measured during the backfill
    // until the standby's next status message.
    ReplicaLag caughtUp = new ReplicaLag("replica-1", false, "streaming", "async", "10.0.0.2", 30.0, 30.0, 30.0,
        0L, 0L, 0L, 0.0, 0L, false, true, "streaming", false, true);
    ReplicationReport report = new ReplicationReport(java.time.Instant.now(), false, List.of(caughtUp),
        List.of(), List.of(), List.of());

    assertThat(Measurements.of(report, java.util.Set.of("replica-1")))
        .filteredOn(m -> m.rule() == RuleKind.REPLICATION_LAG).singleElement()
        .satisfies(m -> assertThat(m.value()).isZero());
  }

  private static ReplicaLag gone(String name) {
    return new ReplicaLag(name, true, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, false, "replica-1".equals(name));
  }

  private static Measurement lockQueue(List<Measurement> all) {
    return all.stream().filter(m -> m.rule() == RuleKind.LOCK_QUEUE).findFirst().orElseThrow();
  }
}
