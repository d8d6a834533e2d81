package io.pgvigil.checks.shadow;

/**
 * A scratch database that {@link Shadows#replay} writes the migration history into and a snapshot
 * reads the expected schema from. It runs the live server's PostgreSQL major: {@code pg_get_*def()}
 * output differs between majors (SPEC "Known traps"). Made by {@link Shadows}; always close it.
 */
public abstract sealed class ShadowDatabase implements AutoCloseable permits EmbeddedShadow, ServerShadow {

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String host;
  private final int port;
  private final String database;
  private final int major;
  private boolean closed;

  ShadowDatabase(String jdbcUrl, String user, String password, String host, int port, String database, int major) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.host = host;
    this.port = port;
    this.database = database;
    this.major = major;
  }

  /** A JDBC URL without the password, e.g. {@code jdbc:postgresql://127.0.0.1:5433/postgres?user=postgres}. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String user() {
    return user;
  }

  /** Null when the server does not ask for one. */
  public String password() {
    return password;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  public int major() {
    return major;
  }

  /** Stops the embedded server, or drops the scratch database, once. Never throws; logs. */
  @Override
  public final synchronized void close() {
    if (!closed) {
      closed = true;
      remove();
    }
  }

  abstract void remove();
}
