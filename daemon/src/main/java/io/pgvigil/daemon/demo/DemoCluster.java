package io.pgvigil.daemon.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.pgvigil.daemon.config.ConfigLoader;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.runtime.RunningDaemon;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.LoggerFactory;

/**
 * The demo's two pgvigil instances, {@code a} and {@code b}: one config each (the same but for the
 * listen port, the instance name and the cluster port), their own data directory under the demo's
 * work directory, one Vert.x cluster on Hazelcast on 127.0.0.1. Both watch the target; the one
 * holding its advisory lock owns it.
 */
final class DemoCluster implements AutoCloseable {

  static final List<String> NAMES = List.of("a", "b");
  /** How long the instances may take to agree on the target's owner before the welcome text. */
  private static final Duration SETTLE = Duration.ofSeconds(60);

  /** One instance: its name, its config file and the running daemon. */
  record Instance(String name, Path config, RunningDaemon daemon) {

    String url() {
      return "http://127.0.0.1:" + daemon.port();
    }

    boolean owns(String target) {
      return daemon.targets().find(target).map(t -> t.monitor().status().owned()).orElse(false);
    }

    /** The owner of {@code target} as this instance's directory knows it. */
    Optional<String> owner(String target) {
      return daemon.targets().owners().apply(target);
    }
  }

  /** What the config template needs for one instance. */
  interface ConfigWriter {
    Path write(String instance, int port, int clusterPort, List<Integer> clusterPorts) throws IOException;
  }

  private final List<Instance> instances;

  private DemoCluster(List<Instance> instances) {
    this.instances = instances;
  }

  /**
   * Writes both configs and starts both instances at once (each Hazelcast member takes a few
   * seconds; two started together that miss each other merge within seconds, and the advisory lock
   * keeps one owner meanwhile). Instance a listens on {@code port}, b on {@code port + 1} (both on
   * a free port when {@code port} is 0); the cluster uses two free ports.
   */
  static DemoCluster start(int port, Path work, Path binariesCache, ConfigWriter configs,
      Map<String, String> environment) throws Exception {
    // Hazelcast's banners, member lists and health lines would drown the demo's own; errors still show.
    if (LoggerFactory.getLogger("com.hazelcast") instanceof Logger hazelcast) {
      hazelcast.setLevel(Level.ERROR);
    }
    List<Integer> clusterPorts = List.of(freePort(), freePort());
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < NAMES.size(); i++) {
      files.add(configs.write(NAMES.get(i), port == 0 ? 0 : port + i, clusterPorts.get(i), clusterPorts));
    }
    ExecutorService starter = Executors.newFixedThreadPool(NAMES.size(), Demo.daemonThreads("pgvigil-demo-start"));
    try {
      List<Future<RunningDaemon>> starting = new ArrayList<>();
      for (int i = 0; i < NAMES.size(); i++) {
        Path file = files.get(i);
        Path data = work.resolve(NAMES.get(i));
        ShadowSettings.Storage storage = new ShadowSettings.Storage(binariesCache, data.resolve("shadow"),
            data.resolve("spool"), data.resolve("state"));
        starting.add(starter.submit(() -> {
          PgvigilConfig config = new ConfigLoader(environment).load(file);
          return RunningDaemon.start(config, storage, Duration.ofSeconds(5), Clock.systemUTC());
        }));
      }
      List<Instance> started = new ArrayList<>();
      Exception failed = null;
      for (int i = 0; i < NAMES.size(); i++) {
        try {
          started.add(new Instance(NAMES.get(i), files.get(i), starting.get(i).get()));
        } catch (ExecutionException e) {
          failed = failed == null && e.getCause() instanceof Exception cause ? cause : failed;
        }
      }
      DemoCluster cluster = new DemoCluster(List.copyOf(started));
      if (failed != null) {
        cluster.close();
        throw failed;
      }
      return cluster;
    } finally {
      starter.shutdown();
    }
  }

  List<Instance> instances() {
    return instances;
  }

  /** The instance that owns {@code target} now, if one does. */
  Optional<Instance> owner(String target) {
    return instances.stream().filter(i -> i.owns(target)).findFirst();
  }

  /**
   * Waits (at most a minute) until exactly one instance owns {@code target} and every instance's
   * directory names it; returns that owner, if any.
   */
  Optional<Instance> awaitOwner(String target) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (System.nanoTime() < deadline) {
      List<Instance> owners = instances.stream().filter(i -> i.owns(target)).toList();
      if (owners.size() == 1
          && instances.stream().allMatch(i -> i.owner(target).equals(Optional.of(owners.get(0).name())))) {
        return Optional.of(owners.get(0));
      }
      Thread.sleep(100);
    }
    return owner(target);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops every instance still running (stopping one twice does nothing). */
  @Override
  public void close() throws Exception {
    Exception first = null;
    for (Instance instance : instances) {
      try {
        instance.daemon().close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
