package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.List;

/**
 * How the live watch polls. {@code windowInterval} is used while a migration runs, when a lock queue can build up in
 * well under a second; {@code statementTimeout} bounds each probe so a stuck catalog read never overlaps the next poll.
 * {@code migrationApplicationNames} are SQL LIKE patterns of {@code application_name} marking a migration's session
 * (besides the tools recognised by their locks). {@code redactLiterals} is on unless turned off: statement literals
 * carry customer data (card numbers, e-mail addresses).
 */
public record WatchConfig(Duration interval, Duration windowInterval, Duration statementTimeout,
    boolean redactLiterals, List<String> migrationApplicationNames) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_WINDOW_INTERVAL = Duration.ofMillis(250);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMillis(500);
  public static final WatchConfig DEFAULT =
      new WatchConfig(DEFAULT_INTERVAL, DEFAULT_WINDOW_INTERVAL, DEFAULT_STATEMENT_TIMEOUT, true, List.of());
}
