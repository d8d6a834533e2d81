package io.pgvigil.checks.testing;

/**
 * A test server together with the duty to close it: what the fixtures hold, and what a test
 * gets from {@link TestServers#start(String)} when it needs more than one server.
 */
public interface OwnedTestPostgres extends TestPostgres, AutoCloseable {
  @Override
  void close();
}
