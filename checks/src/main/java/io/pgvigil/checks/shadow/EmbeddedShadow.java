package io.pgvigil.checks.shadow;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.embedded.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A shadow on a private embedded server; its data directory lives under a work dir and goes on close. */
final class EmbeddedShadow extends ShadowDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedShadow.class);
  /** initdb's own database: empty but for plpgsql, like any database made from template0. */
  private static final String DATABASE = "postgres";

  private final EmbeddedPostgres server;
  private final Path root;
  private final Path binariesCache;

  private EmbeddedShadow(EmbeddedPostgres server, Path root, Path binariesCache) {
    super(server.jdbcUrl(DATABASE), "postgres", null, server.host(), server.port(), DATABASE, server.major());
    this.server = server;
    this.root = root;
    this.binariesCache = binariesCache;
  }

  static EmbeddedShadow start(int major, Path binariesCache, Path workDir) throws ShadowException {
    return start(major, binariesCache, workDir, null);
  }

  /**
   * As {@link #start(int, Path, Path)}, on a copy of {@code template} (a cleanly stopped cluster of this major)
   * instead of a fresh initdb; null: initdb.
   */
  static EmbeddedShadow start(int major, Path binariesCache, Path workDir, DataTemplate template)
      throws ShadowException {
    List<Integer> bundled = EmbeddedPostgres.bundledMajors();
    if (!bundled.contains(major)) {
      String majors = String.join(", ", bundled.stream().map(String::valueOf).toList());
      throw new ShadowException("the live server runs PostgreSQL " + major + ", and pgvigil bundles " + majors
          + " for the embedded shadow: use shadow.mode: url with a scratch PostgreSQL " + major + " server");
    }
    Path root;
    try {
      Files.createDirectories(workDir);
      root = Files.createTempDirectory(workDir, "shadow-" + major + "-");
    } catch (IOException e) {
      throw new ShadowException("cannot create the shadow's data directory under " + workDir + ": " + e, e);
    }
    if (template != null) {
      try {
        template.copyTo(root.resolve("data"));
      } catch (IOException | RuntimeException e) {
        FileTrees.deleteQuietly(root);
        throw new ShadowException("cannot copy the cached shadow " + template + ": " + e.getMessage(), e);
      }
    }
    return launch(major, binariesCache, root);
  }

  /**
   * Starts a server on {@code root/data} on a port picked afresh (retried when another process binds it first); a
   * failure deletes {@code root}.
   */
  private static EmbeddedShadow launch(int major, Path binariesCache, Path root) throws ShadowException {
    try {
      // The launcher's defaults (fsync, synchronous_commit and full_page_writes off) keep a
      // throwaway cluster cheap; a crash loses nothing we need.
      EmbeddedPostgres server = EmbeddedPostgres.builder().major(major).binariesCache(binariesCache)
          .dataDirectory(root.resolve("data")).log(root.resolve("shadow.log")).name("shadow-" + major).start();
      return new EmbeddedShadow(server, root, binariesCache);
    } catch (IOException | RuntimeException e) {
      FileTrees.deleteQuietly(root);
      throw new ShadowException("cannot start the embedded PostgreSQL " + major + " shadow: " + e.getMessage(), e);
    }
  }

  /**
   * Copies this shadow's cluster for a template ({@link DataTemplate#seal()} it): stops the server (a clean shutdown,
   * so that the copy needs no recovery) and copies the data directory; fails, copying nothing, when the server had to
   * be killed. The server stays stopped either way: go on with {@link #restarted()}.
   */
  DataTemplate stopAndCopyTo(Path target) throws IOException {
    if (!server.stop()) {
      // Killed after pg_ctl stop failed: the cluster needs crash recovery, which the restart below does, but a copy
      // would be a template that recovers (or not) at every use.
      throw new IOException("the shadow did not shut down cleanly (pg_ctl stop failed), so it is not copied");
    }
    return DataTemplate.copy(server.dataDirectory(), target);
  }

  /**
   * This shadow when it runs; else (after {@link #stopAndCopyTo}) a new server on its cluster, on a port picked
   * afresh as at the first start. Never the old port again: another process may have bound it meanwhile, and a
   * review must never run against a server that is not ours. This shadow is then spent; a failure deletes the cluster
   * and is a ShadowException.
   */
  EmbeddedShadow restarted() throws ShadowException {
    if (server.isRunning()) {
      return this;
    }
    server.close(); // we passed the data directory in, so the launcher keeps it
    return launch(server.major(), binariesCache, root);
  }

  /** The directory holding the cluster and its log; gone after {@link #close()}. */
  Path root() {
    return root;
  }

  @Override
  void remove() {
    try {
      server.close();
    } catch (RuntimeException e) {
      LOG.warn("stopping the embedded shadow {} failed", server, e);
    }
    // We passed the data directory in, so the launcher keeps it: the shadow owns it.
    FileTrees.deleteQuietly(root);
  }

  @Override
  public String toString() {
    return "embedded shadow " + server;
  }
}
