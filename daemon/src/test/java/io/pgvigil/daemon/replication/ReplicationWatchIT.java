package io.pgvigil.daemon.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.ReplicaPair;
import io.pgvigil.checks.testing.ReplicaPairExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.WalStream;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replication through the daemon, with a real streaming replica: no lag while
 * idle and caught up, lag that grows with a pause of replay (and no faster)
 * and drains when it resumes (API and metrics), and a stopped standby reads
 * as gone, never as zero lag; a WAL sender that is not a configured replica
 * (a pg_basebackup) just leaves the API and the metrics.
 */
@ExtendWith(ReplicaPairExtension.class)
class ReplicationWatchIT {

  @Test
  void lagGrowsAndDrainsAndAStoppedStandbyIsGone(ReplicaPair pair) throws Exception {
    var primary = pair.primary();
    var replica = pair.replica();
    Sql.execute(primary, "CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text)");
    String replicaLabels = "configured=\"true\",kind=\"physical\",replica=\"" + pair.replicaName()
        + "\",target=\"app\"";
    String delay = "pgvigil_replication_lag_seconds{configured=\"true\",kind=\"replay_delay\",replica=\""
        + pair.replicaName() + "\",sender=\"physical\",target=\"app\"}";

    try (RunningDaemon daemon = TestDaemon.watching(primary).replica(pair.replicaName(), replica.uri())
        .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms").start()) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(20)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_replication_standby_up{" + replicaLabels + "}") == 1.0);

      // Idle and caught up: no lag, however old the last commit (the CREATE TABLE) gets.
      await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
          .until(() -> Http.sample(http.get("/metrics").body(), delay) == 0.0);

      try (Connection r = replica.connect();
          Statement rs = r.createStatement();
          Connection p = primary.connect();
          Statement ps = p.createStatement()) {
        Instant pausedAt = Instant.now();
        rs.execute("SELECT pg_wal_replay_pause()");
        ps.execute("INSERT INTO events (payload) SELECT repeat('x', 200) FROM generate_series(1, 20000)");
        await().atMost(Duration.ofSeconds(20)).until(() -> Http.sample(http.get("/metrics").body(),
            "pgvigil_replication_lag_bytes{" + replicaLabels + "}") > 1_000_000);
        // Paused for 3 s: the lag counts from the first WAL not replayed, not from the last commit before
        // the idle spell (4 s and more earlier).
        List<double[]> samples = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
          double lag = Http.sample(http.get("/metrics").body(), delay);
          double elapsed = Duration.between(pausedAt, Instant.now()).toNanos() / 1e9;
          samples.add(new double[] {elapsed, lag});
          return elapsed >= 3;
        });
        assertThat(samples).allSatisfy(sample -> assertThat(sample[1])
            .as("replay_delay %.2f s into the pause", sample[0]).isLessThanOrEqualTo(sample[0] + 1.0));
        assertThat(samples.get(samples.size() - 1)[1]).as("the lag grew with the pause").isGreaterThan(1.0);
        JsonObject during = new JsonObject(http.get("/api/v1/targets/app/replication").body());
        JsonObject lag = during.getJsonArray("replicas").getJsonObject(0);
        assertThat(lag.getString("name")).isEqualTo(pair.replicaName());
        assertThat(lag.getBoolean("gone")).isFalse();
        assertThat(lag.getBoolean("paused")).isTrue();
        assertThat(lag.getBoolean("logical")).as("a streaming standby is a physical sender").isFalse();

        rs.execute("SELECT pg_wal_replay_resume()");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> Http.sample(http.get("/metrics").body(),
          "pgvigil_replication_lag_bytes{" + replicaLabels + "}") < 100_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> Http.sample(http.get("/metrics").body(), delay) == 0.0);

      replica.stop();
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> Http.sample(http.get("/metrics").body(),
            "pgvigil_replication_standby_up{" + replicaLabels + "}") == 0.0);
        String metrics = http.get("/metrics").body();
        assertThat(Http.sample(metrics, "pgvigil_replication_lag_bytes{" + replicaLabels + "}")).isNaN();
        JsonArray findings = new JsonObject(http.get("/api/v1/targets/app/replication").body())
            .getJsonArray("findings");
        assertThat(findings.stream().map(f -> ((JsonObject) f).getString("type")))
            .contains("standby-gone");
      } finally {
        replica.start();
      }
    }
  }
  @Test
  void aSenderThatIsNotAConfiguredReplicaLeavesTheApiWhileAStoppedReplicaIsGone(ReplicaPair pair) throws Exception {
    String backupUp = "pgvigil_replication_standby_up{configured=\"false\",kind=\"physical\",replica=\"pg_basebackup\","
        + "target=\"app\"}";

    try (RunningDaemon daemon = TestDaemon.watching(pair.primary()).replica(pair.replicaName(), pair.replica().uri())
        .watch("interval: 250ms, windowInterval: 250ms, statementTimeout: 200ms").start()) {
      Http http = new Http(daemon.port());
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .until(() -> replicas(http).equals(Map.of(pair.replicaName(), false)));

      try (WalStream backup = WalStream.open(pair.primary(), "pg_basebackup")) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
            .until(() -> replicas(http).equals(Map.of(pair.replicaName(), false, "pg_basebackup", false))
                && Http.sample(http.get("/metrics").body(), backupUp) == 1.0);
      }

      // Gone from the API at the poll that drops its series, and not back as "gone" at the next ones.
      await().atMost(Duration.ofSeconds(20)).until(() -> !http.get("/metrics").body().contains("pg_basebackup"));
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
          .until(() -> replicas(http).equals(Map.of(pair.replicaName(), false)) && findings(http).isEmpty());

      pair.replica().stop();
      try {
        await().atMost(Duration.ofSeconds(20)).until(() -> findings(http).equals(
            List.of("standby-gone " + pair.replicaName())));
        assertThat(replicas(http)).isEqualTo(Map.of(pair.replicaName(), true));
      } finally {
        pair.replica().start();
      }
    }
  }

  /** Each sender the API lists, and whether it is gone. */
  private static Map<String, Boolean> replicas(Http http) {
    JsonArray replicas = new JsonObject(http.get("/api/v1/targets/app/replication").body()).getJsonArray("replicas");
    return replicas.stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(r -> r.getString("name"), r -> r.getBoolean("gone")));
  }

  /** The findings as "type subject". */
  private static List<String> findings(Http http) {
    JsonArray findings = new JsonObject(http.get("/api/v1/targets/app/replication").body()).getJsonArray("findings");
    return findings.stream().map(JsonObject.class::cast)
        .map(f -> f.getString("type") + " " + f.getString("name", f.getString("slot"))).toList();
  }
}
