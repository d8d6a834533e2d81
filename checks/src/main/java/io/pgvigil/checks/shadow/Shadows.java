package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.HistoryDatabase;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * Makes shadow databases, one per drift check (or per cache miss). Both kinds block (initdb and
 * a server start, or DDL on a remote server): never call them on an event loop.
 */
public final class ShadowDatabases {

  private static final SecureRandom RANDOM = new SecureRandom();

  private ShadowDatabases() {}

  /**
   * {@code shadow.mode: embedded}: a private server of exactly {@code major}, its data directory
   * under {@code workDir} (removed on close).
   *
   * @throws ShadowException if {@code major} is not bundled (the message suggests {@code mode: url})
   *     or the server does not start
   */
  public static ShadowDatabase embedded(int major, Path binariesCache, Path workDir) throws ShadowException {
    return EmbeddedShadow.start(major, binariesCache, workDir);
  }

  /**
   * {@code shadow.mode: url}: a new {@code pgvigil_shadow_<hex>} database on the scratch server
   * that {@code admin} points at, dropped (WITH (FORCE)) on close.
   *
   * @param admin an existing database there to connect to, e.g. {@code postgres}; its role needs CREATEDB
   * @throws ShadowException if the server runs another major than {@code expectedMajor}, the role
   *     may not create databases, or the server refuses
   */
  public static ShadowDatabase onServer(HistoryDatabase admin, int expectedMajor) throws ShadowException {
    return ServerShadow.create(admin, expectedMajor, RANDOM);
  }
}
