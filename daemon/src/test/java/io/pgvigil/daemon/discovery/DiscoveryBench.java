package io.pgvigil.daemon.discovery;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.runtime.RunningDaemon;
import io.pgvigil.daemon.runtime.TestStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * How soon a server-level target's databases are watched: N databases on one local cluster ({@code args[0]}, 50
 * by default), {@code databases: auto} at {@code interval: 1s}; the time from the start call to every database's
 * first heartbeat and first lock poll, then the time from {@code CREATE DATABASE} to the new one's first lock poll
 * with {@code discoverEvery: 30s} (the default: at most one listing away). Not a test: run it with {@code mvn -B -q
 * -pl daemon test-compile exec:java -Dexec.mainClass=io.pgvigil.daemon.discovery.DiscoveryBench}.
 */
public final class DiscoveryBench {

  private DiscoveryBench() {}

  public static void main(String[] args) throws Exception {
    int databases = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).setting("max_connections", String.valueOf(databases * 8 + 50))
        .start()) {
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres")); Statement s = c.createStatement()) {
        for (int i = 0; i < databases; i++) {
          s.execute("CREATE DATABASE bench_" + i);
        }
      }
      String url = pg.uri("postgres");
      var config = new ConfigLoader(Map.of()).parse("""
          server: { listen: 127.0.0.1:0 }
          targets:
            - { name: fleet, url: "%s", databases: auto, include: ["bench_*"], watch: { interval: 1s } }
          """.formatted(url), Path.of("."), "bench");
      long start = System.nanoTime();
      try (RunningDaemon daemon = RunningDaemon.start(config, TestStorage.storage(), Duration.ofSeconds(1),
          Clock.systemUTC())) {
        long listening = System.nanoTime();
        long polled = until(daemon.targets(), databases + 1);
        System.out.printf(Locale.ROOT, "%d databases + the home database: listening after %d ms, every one's first "
            + "heartbeat and lock poll %d ms after the start call%n", databases, ms(listening - start),
            ms(polled - start));
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres")); Statement s = c.createStatement()) {
          s.execute("CREATE DATABASE bench_new");
        }
        long created = System.nanoTime();
        long seen = until(daemon.targets(), databases + 2);
        System.out.printf(Locale.ROOT, "a database created while running: first lock poll %d ms after CREATE "
            + "DATABASE (discoverEvery 30s)%n", ms(seen - created));
      }
    }
  }

  /** Waits until {@code count} targets have each answered a heartbeat and run a lock poll; returns when. */
  private static long until(Targets targets, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      long ready = targets.all().stream().filter(t -> t.monitor().status().polled()
          && t.monitor().status().checks().stream().anyMatch(c -> c.check().equals("locks") && c.runs() > 0)).count();
      if (ready >= count) {
        return System.nanoTime();
      }
      Thread.sleep(20); // a bench's poll of its own clock, not a test's wait for a condition
    }
    throw new IllegalStateException("not every target polled within 2 minutes");
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
