package io.pgvigil.daemon.watch;

import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;

/**
 * What the scheduler needs to watch one target, already resolved from the
 * config: where to connect (secrets inside {@code connect} stay there),
 * how often to poll, how long a query may take, and the longest pause between
 * reconnection attempts while the target is down.
 *
 * @param redactedUrl the target's URL without its password, for the API and logs
 */
public record TargetSpec(
    String name,
    String redactedUrl,
    PgConnectOptions connect,
    Duration connectTimeout,
    Duration interval,
    Duration queryTimeout,
    Duration maxBackoff) {
}
