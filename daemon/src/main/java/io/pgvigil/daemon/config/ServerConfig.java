package io.pgvigil.daemon.config;

import io.pgvigil.alerts.SecretValue;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP listener. Without an {@code apiToken} the mutating endpoints (abort, kill switch)
 * are disabled rather than open: an unauthenticated "cancel backend" button is a weapon.
 */
public record ServerConfig(String listenHost, int listenPort, Optional<SecretValue> apiToken) {

    public static final String DEFAULT_LISTEN_HOST = "0.0.0.0";
    public static final int DEFAULT_LISTEN_PORT = 8080;
    public static final ServerConfig DEFAULT =
            new ServerConfig(DEFAULT_LISTEN_HOST, DEFAULT_LISTEN_PORT, Optional.empty());

    public ServerConfig {
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(apiToken, "apiToken");
    }

    /** {@code host:port}, bracketing IPv6 literals. */
    public String listen() {
        return (listenHost.contains(":") ? "[" + listenHost + "]" : listenHost) + ":" + listenPort;
    }
}
