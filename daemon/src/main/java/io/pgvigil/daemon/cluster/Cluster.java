package io.pgvigil.daemon.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.daemon.config.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance and its peers. Alone, it is a plain Vert.x; with {@code server.cluster.enabled} a
 * Vert.x cluster on Hazelcast (TCP join with {@code peers}, or Kubernetes DNS with
 * {@code kubernetes.serviceDns}; never multicast). The cluster carries shared state only: who acts
 * on a target is decided by the target's advisory lock, so a split cluster never makes two
 * instances act on one database. With {@code secret} every shared record is signed, and one that is not signed
 * with it is dropped ({@link RecordSeal}).
 */
public final class Cluster {

  private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

  private final Vertx vertx;
  private final String instance;
  private final Optional<HazelcastClusterManager> manager;
  private final RecordSeal seal;

  private Cluster(Vertx vertx, String instance, Optional<HazelcastClusterManager> manager, RecordSeal seal) {
    this.vertx = vertx;
    this.instance = instance;
    this.manager = manager;
    this.seal = seal;
  }

  /** Builds Vert.x, joined to its peers when the config says so. */
  public static Future<Cluster> start(ClusterConfig config, String instance, VertxOptions options) {
    RecordSeal seal = config.secret().map(RecordSeal::of).orElseGet(RecordSeal::none);
    if (!config.enabled()) {
      return Future.succeededFuture(new Cluster(Vertx.vertx(options), instance, Optional.empty(), seal));
    }
    if (!seal.authenticates()) {
      // Anyone who reaches the Hazelcast or event-bus port could then open a window or add a silence.
      LOG.warn("cluster records are not authenticated: set server.cluster.secret");
    }
    String host = config.host().orElseGet(Cluster::localAddress);
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(config, host));
    options.setEventBusOptions(new EventBusOptions().setHost(host).setPort(config.eventBusPort()));
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .map(v -> new Cluster(v, instance, Optional.of(manager), seal));
  }

  /** A map every member holds a copy of, written as this member and signed with the cluster's secret. */
  public SharedMap map(String name, Optional<Path> file, Clock clock, MeterRegistry registry) {
    return new SharedMap(vertx, name, file, clock, nodeId(), seal, registry);
  }

  public Vertx vertx() {
    return vertx;
  }

  /** This instance's name: {@code server.instance}, else the host name. */
  public String instance() {
    return instance;
  }

  /** How many instances are in the cluster now, this one included. */
  public int members() {
    return manager.map(m -> m.getNodes().size()).orElse(1);
  }

  /** This member's id in the cluster ({@code instance} alone). */
  public String nodeId() {
    return manager.map(HazelcastClusterManager::getNodeId).orElse(instance);
  }

  public boolean alive(String nodeId) {
    return manager.map(m -> m.getNodes().contains(nodeId)).orElse(nodeId.equals(instance));
  }

  /**
   * Whether this member speaks for the cluster about a target nobody owns (it is down): the member
   * with the lowest id, so that a target-down alert or a dead-man switch fires once, not once per
   * instance. Each side of a split cluster has its own: then both may tell.
   */
  public boolean leader() {
    return manager.map(m -> new TreeSet<>(m.getNodes()).first().equals(m.getNodeId())).orElse(true);
  }

  public Future<Void> close() {
    return vertx.close();
  }

  public static String defaultInstance() {
    String host = System.getenv("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "pgvigil-" + ProcessHandle.current().pid();
    }
  }

  private static String localAddress() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1";
    }
  }

  /**
   * Hazelcast for a handful of members on one network: fixed port, no multicast or cloud
   * discovery, nothing on disk, no phone-home. A crashed member is dropped within about 1.5 s (its
   * sockets are refused), a silent one after 10 s of missed heartbeats: 5 s declared healthy
   * members dead on a CPU-starved node. Maps keep one backup, so a member's death loses nothing.
   */
  static Config hazelcast(ClusterConfig config, String host) {
    Config c = new Config();
    c.setClusterName(config.name());
    c.setInstanceName("pgvigil-" + host + "-" + config.port());
    NetworkConfig net = c.getNetworkConfig();
    net.setPort(config.port()).setPortAutoIncrement(false).setPortCount(1);
    net.setPublicAddress(host + ":" + config.port());
    net.getInterfaces().setEnabled(true).addInterface(host);
    net.getRestApiConfig().setEnabled(false);
    net.getMemcacheProtocolConfig().setEnabled(false);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getGcpConfig().setEnabled(false);
    join.getAzureConfig().setEnabled(false);
    join.getEurekaConfig().setEnabled(false);
    if (config.serviceDns().isPresent()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", config.serviceDns().get())
          .setProperty("service-dns-timeout", "5")
          .setProperty("service-port", Integer.toString(config.port()));
    } else {
      join.getKubernetesConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(config.peers()))
          .setConnectionTimeoutSeconds(2);
    }
    c.getJetConfig().setEnabled(false);
    // What vertx-hazelcast's default-cluster.xml declares, which a programmatic config must repeat.
    c.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    c.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    c.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    c.addMapConfig(new MapConfig("pgvigil.*").setBackupCount(1).setAsyncBackupCount(0));
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    c.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
    c.setProperty("hazelcast.heartbeat.failuredetector.type", "deadline");
    c.setProperty("hazelcast.operation.call.timeout.millis", "5000");
    c.setProperty("hazelcast.invocation.retry.pause.millis", "100");
    c.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    c.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    c.setProperty("hazelcast.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
    return c;
  }
}
