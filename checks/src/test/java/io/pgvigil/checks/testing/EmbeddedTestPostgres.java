package io.pgvigil.checks.testing;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A test server run by {@link EmbeddedPostgres} from the bundled binaries. */
final class EmbeddedTestPostgres implements OwnedTestPostgres {

  static final String DATABASE = "app";

  private final EmbeddedPostgres server;

  EmbeddedTestPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  /** Starts a server of the major with an empty {@value #DATABASE} database. */
  static EmbeddedTestPostgres start(int major, String name) throws IOException {
    EmbeddedPostgres server = EmbeddedPostgres.builder().major(major).name(name)
        .binariesCache(TestServers.binariesCache()).start();
    try (Connection connection = DriverManager.getConnection(server.jdbcUrl("postgres"));
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException | RuntimeException e) {
      server.close();
      throw new IOException("cannot create database " + DATABASE + " on " + server + ": " + e.getMessage(), e);
    }
    return new EmbeddedTestPostgres(server);
  }

  EmbeddedPostgres server() {
    return server;
  }

  @Override
  public String host() {
    return server.host();
  }

  @Override
  public int port() {
    return server.port();
  }

  @Override
  public String database() {
    return DATABASE;
  }

  @Override
  public String user() {
    return "postgres";
  }

  @Override
  public String password() {
    return null;
  }

  @Override
  public int major() {
    return server.major();
  }

  @Override
  public String backend() {
    return "embedded";
  }

  @Override
  public void stop() {
    server.stop();
  }

  @Override
  public void start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "embedded " + server.version() + " on " + host() + ":" + port();
  }
}
