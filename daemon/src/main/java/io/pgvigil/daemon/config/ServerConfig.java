package io.pgvigil.daemon.config;

import io.pgvigil.common.SecretValue;
import java.util.Optional;

/**
 * The HTTP listener. Without an {@code apiToken} the mutating endpoints are disabled rather than open: an
 * unauthenticated "cancel backend" button is a weapon. With a {@code readToken} the read API ({@code GET /api/v1/*},
 * showing session users, statements and schema) wants a bearer token too. Probes and {@code /metrics} stay open.
 */
public record ServerConfig(String listenHost, int listenPort, Optional<SecretValue> apiToken,
    Optional<SecretValue> readToken, Optional<String> instance, ClusterConfig cluster) {

  public static final String DEFAULT_LISTEN_HOST = "0.0.0.0";
  public static final int DEFAULT_LISTEN_PORT = 8080;
  public static final ServerConfig DEFAULT =
      new ServerConfig(DEFAULT_LISTEN_HOST, DEFAULT_LISTEN_PORT, Optional.empty(), Optional.empty(),
          Optional.empty(), ClusterConfig.OFF);

  public String listen() {
    return (listenHost.contains(":") ? "[" + listenHost + "]" : listenHost) + ":" + listenPort;
  }
}
