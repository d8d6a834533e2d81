package io.pgvigil.checks.session;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The settings of every session pgvigil opens to a watched database. They are startup parameters,
 * in force from the first statement and even if a client-side timeout fails to fire: pgvigil
 * must never run long, queue behind a migration's lock, or block the migration it watches.
 *
 * @param idleInTransaction null: the server's setting
 */
public record SessionSafety(Duration statementTimeout, Duration lockTimeout, Duration idleInTransaction,
    boolean readOnly) {

  /** pgvigil's sessions say who they are, so operators (and pgvigil itself) can tell them apart. */
  public static final String APPLICATION_NAME = "pgvigil";

  /**
   * The history reader and the Flyway API it drives: Flyway takes longer than a probe; read-only, so
   * nothing writes whatever a configuration says; the short lock_timeout keeps a read of the
   * history table from queueing behind a migration's ALTER.
   */
  public static final SessionSafety HISTORY =
      new SessionSafety(Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(30), true);

  /** The watch's pools (probes, snapshots, the kill switch): both timeouts are the probe timeout. */
  public static SessionSafety poll(Duration probeTimeout) {
    return new SessionSafety(probeTimeout, probeTimeout, null, false);
  }

  /** For the Vert.x client's {@code PgConnectOptions.setProperties}, application_name included. */
  public Map<String, String> startupParameters() {
    Map<String, String> parameters = new LinkedHashMap<>(Map.of("application_name", APPLICATION_NAME));
    parameters.putAll(settings());
    return parameters;
  }

  /** For pgjdbc's {@code options} (libpq's): one {@code -c} per setting. */
  public String jdbcOptions() {
    return settings().entrySet().stream().map(e -> "-c " + e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }

  private Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("statement_timeout", Long.toString(statementTimeout.toMillis()));
    settings.put("lock_timeout", Long.toString(lockTimeout.toMillis()));
    if (idleInTransaction != null) {
      settings.put("idle_in_transaction_session_timeout", Long.toString(idleInTransaction.toMillis()));
    }
    if (readOnly) {
      settings.put("default_transaction_read_only", "on");
    }
    return settings;
  }
}
