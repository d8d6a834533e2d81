package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.alerts.testing.MutableClock;
import io.pgvigil.common.SecretValue;
import io.pgvigil.daemon.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two Hazelcast members on 127.0.0.1 sharing one map, signed with one secret. */
class SharedMapClusterIT {

  private static final SecretValue SECRET = SecretValue.of("shared-map-it-secret-0123");

  @Test
  void twoMembersWritingInTheSameMillisecondAgreeAndAForgedRecordIsDropped() throws Exception {
    List<Integer> ports = List.of(freePort(), freePort());
    List<String> peers = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    Future<Cluster> startingA = Cluster.start(config(ports.get(0), peers), "a", new VertxOptions());
    Future<Cluster> startingB = Cluster.start(config(ports.get(1), peers), "b", new VertxOptions());
    Cluster a = done(startingA, 90);
    Cluster b = done(startingB, 90);
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> a.members() == 2 && b.members() == 2);
      // One stopped clock for both: their changes carry the same time, so only the member ids can order them.
      MutableClock clock = MutableClock.at("2026-12-01T12:00:00Z");
      SimpleMeterRegistry registryA = new SimpleMeterRegistry();
      SharedMap onA = a.map("it", Optional.empty(), clock, registryA);
      SharedMap onB = b.map("it", Optional.empty(), clock, new SimpleMeterRegistry());
      onA.put("k", new JsonObject().put("v", "a"));
      onB.put("k", new JsonObject().put("v", "b"));
      done(onA.start(), 30);
      done(onB.start(), 30);

      String winner = a.nodeId().compareTo(b.nodeId()) > 0 ? "a" : "b";
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
        assertThat(onA.get("k")).contains(new JsonObject().put("v", winner));
        assertThat(onB.get("k")).contains(new JsonObject().put("v", winner));
      });

      // From a member's own event bus, but signed with another secret: dropped on the other member.
      JsonObject forged = RecordSeal.of(SecretValue.of("not-the-cluster-secret"))
          .seal("it", "k", new JsonObject().put("at", Long.MAX_VALUE - 1).put("by", "zz")
              .put("value", new JsonObject().put("v", "forged")));
      b.vertx().eventBus().publish("pgvigil.shared.it", new JsonObject().put("key", "k").put("entry", forged));
      await().atMost(Duration.ofSeconds(20)).until(() -> registryA.get("pgvigil.cluster.rejected.records")
          .tag("map", "it").counter().count() >= 1);
      assertThat(onA.get("k")).contains(new JsonObject().put("v", winner));
      done(onA.close(), 10);
      done(onB.close(), 10);
    } finally {
      done(b.close(), 60);
      done(a.close(), 60);
    }
  }

  private static ClusterConfig config(int port, List<String> peers) {
    return new ClusterConfig(true, "shared-map-it", Optional.of("127.0.0.1"), port, 0, peers, Optional.empty(),
        Optional.of(SECRET));
  }

  private static <T> T done(Future<T> f, int seconds) throws Exception {
    return f.await(seconds, TimeUnit.SECONDS);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
