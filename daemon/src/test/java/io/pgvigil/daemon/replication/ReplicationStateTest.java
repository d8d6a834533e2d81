package io.pgvigil.daemon.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.replication.ReplicaLag;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.metrics.Metrics;
import io.pgvigil.daemon.runtime.Http;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicationStateTest {

  private static final String REPLICA_UP =
      "pgvigil_replication_standby_up{configured=\"true\",kind=\"physical\",replica=\"replica-1\",target=\"app\"}";
  private static final String REPLICA_DELAY = "pgvigil_replication_lag_seconds{configured=\"true\","
      + "kind=\"replay_delay\",replica=\"replica-1\",sender=\"physical\",target=\"app\"}";

  private final Metrics metrics = new Metrics();
  private final ReplicationState state = new ReplicationState("app", metrics.registry());

  @AfterEach
  void close() {
    metrics.close();
  }

  @Test
  void labelsEachSenderWithItsKindAndWhetherItIsAConfiguredReplica() {
    state.update(report(streaming("replica-1", false, true, 2.5), streaming("debezium", true, false, 40.0)));

    String exposition = metrics.scrape();
    assertThat(Http.sample(exposition, REPLICA_UP)).isEqualTo(1.0);
    assertThat(Http.sample(exposition, REPLICA_DELAY)).isEqualTo(2.5);
    assertThat(Http.sample(exposition, "pgvigil_replication_standby_up{configured=\"false\",kind=\"logical\","
        + "replica=\"debezium\",target=\"app\"}")).isEqualTo(1.0);
    assertThat(Http.sample(exposition, "pgvigil_replication_lag_seconds{configured=\"false\",kind=\"replay_delay\","
        + "replica=\"debezium\",sender=\"logical\",target=\"app\"}")).isEqualTo(40.0);
    assertThat(Http.sample(exposition, "pgvigil_replication_lag_bytes{configured=\"false\",kind=\"logical\","
        + "replica=\"debezium\",target=\"app\"}")).isEqualTo(1024.0);
  }

  @Test
  void anUnconfiguredSenderThatLeavesTakesItsSeriesWithIt() {
    state.update(report(streaming("replica-1", false, true, 0.0), streaming("pg_basebackup", false, false, 0.0)));
    assertThat(metrics.scrape()).contains("replica=\"pg_basebackup\"");

    // The backup finished: the tracker no longer lists it.
    state.update(report(streaming("replica-1", false, true, 0.0)));

    String exposition = metrics.scrape();
    assertThat(exposition).doesNotContain("pg_basebackup");
    assertThat(Http.sample(exposition, REPLICA_UP)).isEqualTo(1.0);
  }

  @Test
  void aConfiguredReplicaThatLeavesReadsGoneWithUnknownLag() {
    state.update(report(streaming("replica-1", false, true, 0.0)));

    state.update(report(gone("replica-1")));

    String exposition = metrics.scrape();
    assertThat(Http.sample(exposition, REPLICA_UP)).isZero();
    assertThat(exposition).contains(REPLICA_DELAY + " NaN");
  }

  @Test
  void aSenderThatComesBackAfterLeavingIsCountedAgain() {
    state.update(report(streaming("pg_basebackup", false, false, 0.0)));
    state.update(report());

    state.update(report(streaming("pg_basebackup", false, false, 0.0)));

    assertThat(Http.sample(metrics.scrape(), "pgvigil_replication_standby_up{configured=\"false\",kind=\"physical\","
        + "replica=\"pg_basebackup\",target=\"app\"}")).isEqualTo(1.0);
  }

  private static ReplicationReport report(ReplicaLag... lags) {
    return new ReplicationReport(Instant.now(), false, List.of(lags), List.of(), List.of(), List.of());
  }

  private static ReplicaLag streaming(String name, boolean logical, boolean configured, double behindSeconds) {
    return new ReplicaLag(name, false, "streaming", "async", "10.0.0.2", 0.0, 0.0, 0.0, 0L, 0L, 1024L,
        behindSeconds, null, null, null, null, logical, configured);
  }

  private static ReplicaLag gone(String name) {
    return new ReplicaLag(name, true, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, false, true);
  }
}
