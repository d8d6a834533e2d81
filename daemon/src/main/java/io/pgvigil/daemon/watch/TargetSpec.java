package io.pgvigil.daemon.watch;

import io.vertx.pgclient.PgConnectOptions;
import java.time.Duration;

/**
 * One target resolved from the config for the scheduler (secrets inside {@code connect} stay
 * there); {@code maxBackoff} is the longest pause between reconnection attempts while it is down.
 *
 * @param redactedUrl the target's URL without its password, for the API and logs
 */
public record TargetSpec(String name, String redactedUrl, PgConnectOptions connect,
    Duration connectTimeout, Duration interval, Duration queryTimeout, Duration maxBackoff) {}
