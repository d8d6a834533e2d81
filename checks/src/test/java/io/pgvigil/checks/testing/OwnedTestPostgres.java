package io.pgvigil.checks.testing;

/** A test server together with the duty to close it: what the fixtures hold, not what tests get. */
interface OwnedTestPostgres extends TestPostgres, AutoCloseable {
  @Override
  void close();
}
