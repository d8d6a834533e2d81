package io.pgvigil.checks.shadow;

/**
 * A scratch database that a {@link HistoryReplay} writes the migration history into and a
 * snapshot reads the expected schema from. It runs the same PostgreSQL major as the live
 * server: {@code pg_get_*def()} output differs between majors, so only texts deparsed by the
 * same major can be compared (see SPEC "Known traps").
 *
 * <p>Made by {@link ShadowDatabases}; always {@link #close()} it, also after a failed replay.
 */
public sealed interface ShadowDatabase extends AutoCloseable permits EmbeddedShadow, ServerShadow {

  /** A JDBC URL without the password, e.g. {@code jdbc:postgresql://127.0.0.1:5433/postgres?user=postgres}. */
  String jdbcUrl();

  String user();

  /** Null when the server does not ask for one. */
  String password();

  String host();

  int port();

  String database();

  int major();

  /** Removes the shadow (stops the embedded server, or drops the scratch database). Never throws; logs. */
  @Override
  void close();
}
