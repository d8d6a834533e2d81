package io.pgvigil.daemon.cluster;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.testing.TestServers;
import io.pgvigil.daemon.runtime.Http;
import io.pgvigil.daemon.testing.DaemonProcess;
import io.pgvigil.daemon.testing.TcpProxy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * How long a target goes unowned when its owner is killed with SIGKILL: two {@code pgvigil run}
 * processes on one target (default {@code watch.interval} 1 s, {@code connectTimeout} 5 s, so the
 * bound is 2 × 1 s + 5 s), ten kills of whichever owns it, the killed one restarted each time.
 * Prints each takeover, the median and the maximum.
 *
 * <p>With the argument {@code partition}, the owner is cut off instead: instance 0 reaches the
 * database through a {@link TcpProxy} in this JVM, instance 1 directly; each run starts instance 0,
 * lets it own the target, starts instance 1, then blackholes the proxy (nothing forwarded, no socket
 * closed) and times until instance 1 owns the target; both are stopped after each run.
 *
 * <p>Run as BENCHMARKS.md says: the daemons are started with this JVM's {@code java.class.path}.
 */
public final class TakeoverBench {

  private static final int RUNS = 10;

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("partition")) {
      partition();
      return;
    }
    Path work = Files.createTempDirectory("pgvigil-takeover");
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).start()) {
      String url = "postgresql://postgres@" + pg.host() + ":" + pg.port() + "/postgres";
      int[] ports = {freePort(), freePort()};
      Process[] daemons = {start(work, 0, ports[0], url), start(work, 1, ports[1], url)};
      double[] millis = new double[RUNS];
      try {
        for (int run = 0; run < RUNS; run++) {
          int owner = awaitOwner(ports);
          int other = 1 - owner;
          long killed = System.nanoTime();
          daemons[owner].destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          while (!owned(ports[other])) {
            Thread.onSpinWait();
          }
          millis[run] = (System.nanoTime() - killed) / 1e6;
          System.out.printf("run %2d: instance %d killed, instance %d owns the target after %.0f ms%n", run + 1,
              owner, other, millis[run]);
          daemons[owner] = start(work, owner, ports[owner], url);
          awaitUp(ports[owner]);
        }
      } finally {
        for (Process p : daemons) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      System.out.printf("takeover after kill -9, %d runs: p50 %.0f ms, max %.0f ms (bound 2 × 1 s + 5 s = 7000 ms)%n",
          RUNS, (sorted[RUNS / 2 - 1] + sorted[RUNS / 2]) / 2, sorted[RUNS - 1]);
    }
  }

  private static void partition() throws Exception {
    Path work = Files.createTempDirectory("pgvigil-partition");
    Vertx vertx = Vertx.vertx();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().major(TestServers.major())
        .binariesCache(TestServers.binariesCache()).start()) {
      String direct = "postgresql://postgres@" + pg.host() + ":" + pg.port() + "/postgres";
      int[] ports = {freePort(), freePort()};
      double[] millis = new double[RUNS];
      for (int run = 0; run < RUNS; run++) {
        try (TcpProxy proxy = TcpProxy.start(vertx, pg.host(), pg.port())) {
          Process[] daemons = new Process[2];
          try {
            daemons[0] = start(work, 0, ports[0], "postgresql://postgres@127.0.0.1:" + proxy.port() + "/postgres");
            if (awaitOwner(ports) != 0) {
              throw new IllegalStateException("instance 0 should own the target, being alone");
            }
            daemons[1] = start(work, 1, ports[1], direct);
            awaitTargetUp(ports[1]);
            long cut = System.nanoTime();
            proxy.blackhole();
            double steppedDown = 0;
            while (!owned(ports[1])) {
              if (steppedDown == 0 && !owned(ports[0])) {
                steppedDown = (System.nanoTime() - cut) / 1e6;
              }
              Thread.onSpinWait();
            }
            millis[run] = (System.nanoTime() - cut) / 1e6;
            System.out.printf("run %2d: instance 0 cut off, stepped down after %.0f ms; instance 1 owns the target"
                + " after %.0f ms%n", run + 1, steppedDown, millis[run]);
          } finally {
            for (Process p : daemons) {
              if (p != null) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
              }
            }
          }
        }
      }
      double[] sorted = millis.clone();
      Arrays.sort(sorted);
      System.out.printf(
          "takeover after a partition, %d runs: p50 %.0f ms, max %.0f ms (bound 2 × 1 s + 5 s = 7000 ms)%n",
          RUNS, (sorted[RUNS / 2 - 1] + sorted[RUNS / 2]) / 2, sorted[RUNS - 1]);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitTargetUp(int port) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (new JsonObject(new Http(port).get("/api/v1/targets").body()).getJsonArray("targets").getJsonObject(0)
            .getBoolean("up")) {
          return;
        }
      } catch (RuntimeException e) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("instance on port " + port + " does not see the target up after 60 s");
  }

  private static Process start(Path work, int i, int port, String url) throws Exception {
    return DaemonProcess.start(work.resolve("instance-" + i), """
        server: { listen: 127.0.0.1:%d, instance: instance-%d }
        targets: [{ name: app, url: "%s" }]
        """.formatted(port, i, url));
  }

  private static int awaitOwner(int[] ports) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < ports.length; i++) {
        if (owned(ports[i])) {
          return i;
        }
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new IllegalStateException("no instance owns the target after 60 s");
  }

  private static void awaitUp(int port) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (new Http(port).get("/readyz").statusCode() == 200) {
          return;
        }
      } catch (RuntimeException e) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("instance on port " + port + " not ready after 60 s");
  }

  private static boolean owned(int port) {
    try {
      return new JsonObject(new Http(port).get("/api/v1/targets").body()).getJsonArray("targets").getJsonObject(0)
          .getBoolean("ownedHere");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private TakeoverBench() {}
}
