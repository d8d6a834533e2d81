package io.pgvigil.daemon.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover on the timeline: once, {@code delaySeconds} after start (after the first lock stall was
 * cancelled), the demo stops the instance that owns the target the way SIGTERM would, which
 * releases the target's advisory lock, and prints how long the other took to own the target. The
 * next stall is then the survivor's. Instances share this JVM, so a {@code kill} is not possible.
 */
final class FailoverScenario implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FailoverScenario.class);
  private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(60);

  private final DemoCluster cluster;
  private final String target;
  private final PrintWriter out;
  private final ScheduledExecutorService clock =
      Executors.newScheduledThreadPool(2, Demo.daemonThreads("pgvigil-demo-failover"));
  private final ScheduledFuture<?> scheduled;

  private FailoverScenario(DemoCluster cluster, String target, PrintWriter out, int delaySeconds) {
    this.cluster = cluster;
    this.target = target;
    this.out = out;
    this.scheduled = clock.schedule(this::stopOwner, delaySeconds, TimeUnit.SECONDS);
  }

  static FailoverScenario start(DemoCluster cluster, String target, PrintWriter out, int delaySeconds) {
    return new FailoverScenario(cluster, target, out, delaySeconds);
  }

  private void stopOwner() {
    Optional<DemoCluster.Instance> owner = cluster.owner(target);
    if (owner.isEmpty()) {
      print("Failover: no instance owns '" + target + "' right now, so the demo stops none");
      return;
    }
    DemoCluster.Instance stopping = owner.get();
    print("Failover: stopping instance " + stopping.name() + " (" + stopping.url() + "), which owns '" + target
        + "', as SIGTERM would: it releases its advisory lock on the target and leaves the cluster");
    long began = System.nanoTime();
    clock.execute(() -> awaitTakeover(stopping, began));
    try {
      stopping.daemon().close();
      print("  instance " + stopping.name() + " stopped (" + millisSince(began) + " ms)");
    } catch (Exception e) {
      LOG.warn("demo failover: stopping instance {}: {}", stopping.name(), e.getMessage());
    }
  }

  private void awaitTakeover(DemoCluster.Instance stopping, long began) {
    long deadline = began + TAKEOVER_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<DemoCluster.Instance> owner = cluster.owner(target).filter(i -> i != stopping);
      if (owner.isPresent()) {
        print("  instance " + owner.get().name() + " owns '" + target + "' now, " + millisSince(began)
            + " ms after the stop began; the next stall is its to handle: " + owner.get().url());
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    print("  no other instance owns '" + target + "' " + TAKEOVER_LIMIT.toSeconds() + " s after the stop began");
  }

  private void print(String line) {
    out.println(line);
    out.flush();
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** A stop under way finishes first (at most the daemon's stop timeouts), so nothing is left half stopped. */
  @Override
  public void close() throws InterruptedException {
    scheduled.cancel(false);
    clock.shutdown();
    if (!clock.awaitTermination(30, TimeUnit.SECONDS)) {
      clock.shutdownNow();
    }
  }
}
