package io.pgvigil.daemon.config;

import io.pgvigil.common.SecretValue;
import java.util.Optional;

/**
 * The HTTP listener. Without an {@code apiToken} the mutating endpoints (abort, kill switch)
 * are disabled rather than open: an unauthenticated "cancel backend" button is a weapon. With a
 * {@code readToken} the read API ({@code GET /api/v1/*}) wants a bearer token too (the read or
 * the API token): it shows session users, statements and schema to whoever reaches the port.
 * The probes and {@code /metrics} stay open either way.
 */
public record ServerConfig(String listenHost, int listenPort, Optional<SecretValue> apiToken,
    Optional<SecretValue> readToken) {

  public static final String DEFAULT_LISTEN_HOST = "0.0.0.0";
  public static final int DEFAULT_LISTEN_PORT = 8080;
  public static final ServerConfig DEFAULT =
      new ServerConfig(DEFAULT_LISTEN_HOST, DEFAULT_LISTEN_PORT, Optional.empty(), Optional.empty());

  /** {@code host:port}, bracketing IPv6 literals. */
  public String listen() {
    return (listenHost.contains(":") ? "[" + listenHost + "]" : listenHost) + ":" + listenPort;
  }
}
