package io.pgvigil.daemon.config;

import io.pgvigil.common.SecretValue;
import java.util.List;
import java.util.Optional;

/**
 * {@code server.cluster}: pgvigil instances that share migration windows, alert state and silences
 * through a Vert.x cluster on Hazelcast. Who acts on a target is never decided here but by an
 * advisory lock on the target itself; off, an instance works alone.
 *
 * @param host the address this member binds and advertises; empty picks the host's address
 * @param peers {@code host:port} of other members (TCP join)
 * @param serviceDns a Kubernetes headless Service's DNS name: members found through DNS instead
 * @param secret what every member's shared records are signed with; empty: they are not authenticated
 */
public record ClusterConfig(boolean enabled, String name, Optional<String> host, int port,
    int eventBusPort, List<String> peers, Optional<String> serviceDns, Optional<SecretValue> secret) {

  public static final String DEFAULT_NAME = "pgvigil";
  public static final int DEFAULT_PORT = 5701;
  public static final int DEFAULT_EVENT_BUS_PORT = 5711;
  public static final int MIN_SECRET_LENGTH = 16;
  public static final ClusterConfig OFF = new ClusterConfig(false, DEFAULT_NAME, Optional.empty(),
      DEFAULT_PORT, DEFAULT_EVENT_BUS_PORT, List.of(), Optional.empty(), Optional.empty());
}
