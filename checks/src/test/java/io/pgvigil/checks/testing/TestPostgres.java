package io.pgvigil.checks.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A PostgreSQL server a test may use as it likes: superuser credentials, one database.
 * Obtained from {@link PostgresExtension} or {@link ReplicaPair}; the fixture owns its lifecycle.
 */
public interface TestPostgres {

  String host();

  int port();

  /** The database to use: {@code app}, created empty for the test class. */
  String database();

  /** A superuser. */
  String user();

  /** The user's password, or null where the server trusts local connections. */
  String password();

  int major();

  /** {@code "embedded"} or {@code "testcontainers"}. */
  String backend();

  /** Fast shutdown, e.g. to test what happens when the database goes away. */
  void stop();

  /** Starts the server again after {@link #stop()}, on the same host and port; waits until it answers. */
  void start();

  /** A JDBC URL with the credentials as parameters, ready for {@code DriverManager.getConnection(url)}. */
  default String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database() + "?user=" + encode(user())
        + (password() == null ? "" : "&password=" + encode(password()));
  }

  /** A libpq-style URI, the form pgvigil's configuration takes, e.g. {@code postgresql://postgres@127.0.0.1:5432/app}. */
  default String uri() {
    return "postgresql://" + encode(user()) + (password() == null ? "" : ":" + encode(password())) + "@"
        + host() + ":" + port() + "/" + database();
  }

  default Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
