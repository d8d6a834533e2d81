package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.daemon.config.ClusterConfig;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shared owner record keeps the latest write: a previous owner's "lost" record that arrives late
 * with a later time must not hide the instance that owns the target now.
 */
@ExtendWith(PostgresExtension.class)
class OwnerRecordIT {

  @Test
  void theOwnerWritesItsRecordAgainOverALateRecordOfThePreviousOwner(TestPostgres pg) throws Exception {
    int portA = freePort();
    int portOld = freePort();
    List<String> peers = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portOld);
    try (RunningDaemon a = TestDaemon.watching(pg).watch("interval: 250ms, statementTimeout: 200ms")
        .server("instance: a, cluster: { enabled: true, name: owner-record-it, host: 127.0.0.1, port: " + portA
            + ", eventBusPort: 0, peers: [\"" + String.join("\", \"", peers) + "\"] }")
        .start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> "a".equals(owner(a)));
      // The previous owner, as a bare cluster member whose clock runs 5 s ahead: its record wins by time.
      Cluster old = Cluster.start(new ClusterConfig(true, "owner-record-it", Optional.of("127.0.0.1"), portOld, 0,
          peers, Optional.empty(), Optional.empty()), "old", new VertxOptions()).await(90, TimeUnit.SECONDS);
      try {
        SharedMap owners = old.map("owners", Optional.empty(),
            Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5)), new SimpleMeterRegistry());
        owners.start().await(30, TimeUnit.SECONDS);
        owners.put("app", new JsonObject().put("instance", "old").put("node", old.nodeId()).put("owned", false)
            .put("since", Clock.systemUTC().instant().toString()));
        // Within a heartbeat or two the owner has written its record again, newer than the late one.
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
            .until(() -> owners.get("app").map(r -> r.getString("instance")).orElse(""), "a"::equals);
        assertThat(owners.get("app").orElseThrow().getBoolean("owned")).isTrue();
        assertThat(owner(a)).isEqualTo("a");
        owners.close().await(10, TimeUnit.SECONDS);
      } finally {
        old.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  private static String owner(RunningDaemon d) {
    return new JsonObject(new Http(d.port()).get("/api/v1/targets").body()).getJsonArray("targets")
        .getJsonObject(0).getString("owner");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
