package io.pgvigil.daemon.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.testing.TestDaemon;
import io.pgvigil.daemon.watch.Ownership;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Several daemons with one config: each target has exactly one owner, decided by its advisory lock,
 * and another instance takes over when the owner goes.
 */
@ExtendWith(PostgresExtension.class)
class OwnershipIT {

  private static final Duration INTERVAL = Duration.ofMillis(250);
  private static final Duration CONNECT = Duration.ofSeconds(2);

  @Test
  void twoInstancesWithoutAClusterStillHaveOneOwnerAndTheOtherTakesOver(TestPostgres pg) throws Exception {
    PgvigilConfig config =
        TestDaemon.watching(pg).settings("connectTimeout: 2s").watch("interval: 250ms, statementTimeout: 200ms")
            .config();
    try (RunningDaemon a = TestDaemon.start(config); RunningDaemon b = TestDaemon.start(config)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> owned(a, "app") || owned(b, "app"));
      assertThat(owned(a, "app") && owned(b, "app")).isFalse();
      // The lock is what PostgreSQL shows: held by exactly one session, pgvigil's namespace, objsubid 2.
      assertThat(lockHolders(pg, "app")).isEqualTo(1);

      RunningDaemon owner = owned(a, "app") ? a : b;
      RunningDaemon other = owner == a ? b : a;
      long stopped = System.nanoTime();
      owner.close();
      await().atMost(INTERVAL.multipliedBy(2).plus(CONNECT).plusSeconds(5)).until(() -> owned(other, "app"));
      Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
      System.err.println("takeover after a graceful stop: " + takeover.toMillis() + " ms");
      assertThat(lockHolders(pg, "app")).isEqualTo(1);
    }
  }

  @Test
  void tenTargetsSpreadOverThreeClusteredInstancesAndAreReOwnedWhenOneStops() throws Exception {
    // Thirty monitors on one server: more connections than a test server's default 100.
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).setting("max_connections", "400").start()) {
      spreadAndReOwn("postgresql://postgres@" + server.host() + ":" + server.port() + "/postgres");
    }
  }

  private void spreadAndReOwn(String url) throws Exception {
    List<Integer> ports = List.of(freePort(), freePort(), freePort());
    String peers = ports.stream().map(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
    List<String> names = IntStream.rangeClosed(1, 10).mapToObj(i -> "t" + i).toList();
    List<RunningDaemon> daemons = new ArrayList<>();
    try {
      for (int port : ports) {
        TestDaemon d = TestDaemon.watching(names.get(0), url);
        names.subList(1, names.size()).forEach(n -> d.and(n, url));
        daemons.add(
            d.watch("interval: 250ms, statementTimeout: 200ms").server("cluster: { enabled: true, name: ownership-it, "
                + "host: 127.0.0.1, port: " + port + ", eventBusPort: 0, peers: [" + peers + "] }").start());
      }
      // The first instance up takes everything; as the others join it gives targets back to ceil(10 / 3) = 4.
      await().atMost(Duration.ofSeconds(90)).until(() -> names.stream().allMatch(n -> owners(daemons, n) == 1)
          && daemons.stream().allMatch(d -> ownedCount(d, names) <= 4));
      // From then on, while all are healthy: never two owners, never more than ceil(10 / 3) + 1 = 5 each.
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> names.stream().allMatch(n -> owners(daemons, n) <= 1)
              && daemons.stream().allMatch(d -> ownedCount(d, names) >= 2 && ownedCount(d, names) <= 5));

      RunningDaemon stopped = daemons.remove(0);
      stopped.close();
      await().atMost(Duration.ofSeconds(30)).until(() -> names.stream().allMatch(n -> owners(daemons, n) == 1));
    } finally {
      for (RunningDaemon d : daemons) {
        d.close();
      }
    }
  }

  private static boolean owned(RunningDaemon d, String target) {
    return d.targets().find(target).orElseThrow().monitor().status().owned();
  }

  private static int owners(List<RunningDaemon> daemons, String target) {
    return (int) daemons.stream().filter(d -> owned(d, target)).count();
  }

  private static int ownedCount(RunningDaemon d, List<String> targets) {
    return (int) targets.stream().filter(t -> owned(d, t)).count();
  }

  private static int lockHolders(TestPostgres pg, String target) throws Exception {
    try (Connection c = pg.connect();
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            + " AND classid = " + (Ownership.NAMESPACE & 0xffffffffL) + " AND objid = "
            + (Ownership.key("pgvigil", target) & 0xffffffffL) + " AND objsubid = 2 AND granted")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
