package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.MigrationSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where one target's shadows are made ({@code shadow.mode}), and the one way drift and review
 * fill one: {@link #replay}. Blocking (initdb and a server start, or DDL on a remote server, then
 * the replay): never call it on an event loop.
 *
 * @param server the scratch server's admin database; null: embedded
 */
public record Shadows(HistoryDatabase server, Path binariesCache, Path workDir) {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Generous: a replay runs migrations on empty tables, so only a hang gets near it. */
  static final Duration REPLAY_TIMEOUT = Duration.ofMinutes(5);

  /** {@code shadow.mode: embedded}: a private server of the live major, its data directory under {@code workDir}. */
  public static Shadows embedded(Path binariesCache, Path workDir) {
    return new Shadows(null, binariesCache, workDir);
  }

  /**
   * {@code shadow.mode: url}: a new {@code pgvigil_shadow_<hex>} database, dropped (WITH (FORCE)) on
   * close, on the scratch server {@code admin} points at (e.g. its {@code postgres}; needs CREATEDB).
   */
  public static Shadows onServer(HistoryDatabase admin) {
    return new Shadows(admin, null, null);
  }

  /**
   * A replayed shadow; closing it stops the shadow and then waits for {@code saving}, the shadow cache's save of the
   * replayed cluster, which runs beside the review.
   */
  public record Replayed(ShadowDatabase db, int migrations, CompletableFuture<Void> saving) implements AutoCloseable {

    public Replayed(ShadowDatabase db, int migrations) {
      this(db, migrations, CompletableFuture.completedFuture(null));
    }

    @Override
    public void close() {
      try {
        db.close();
      } finally {
        saving.join(); // never fails: a save tells its own failure and gives up
      }
    }
  }

  /**
   * An empty shadow of {@code major}; close it. A {@link ShadowException} says what to change: a
   * major not bundled (use {@code mode: url}), a scratch server of another major, no CREATEDB.
   */
  public ShadowDatabase open(int major) throws ShadowException, IOException {
    if (server != null) {
      return ServerShadow.create(server, major, RANDOM);
    }
    Files.createDirectories(workDir);
    return EmbeddedShadow.start(major, binariesCache, workDir);
  }

  /**
   * Opens a shadow of {@code major} and replays {@code applied} into it, telling {@code progress}
   * before each slow step; on failure the shadow is gone.
   */
  public Replayed replay(int major, MigrationSource source, List<String> applied, Consumer<String> progress)
      throws ShadowException, ReplayException, IOException {
    return replay(major, source, applied, List.of(), progress);
  }

  /**
   * As {@link #replay(int, MigrationSource, List, Consumer)}, with {@code roles} (the live database's) made first on an
   * embedded shadow, names only, so that the history's GRANTs and OWNER TOs replay (see {@link ShadowRoles}).
   */
  public Replayed replay(int major, MigrationSource source, List<String> applied, Collection<String> roles,
      Consumer<String> progress) throws ShadowException, ReplayException, IOException {
    progress.accept("starting a PostgreSQL " + major + " shadow ...");
    ShadowDatabase db = open(major);
    try {
      if (server == null && !roles.isEmpty()) {
        ShadowRoles.create(db, roles);
      }
      int count = applied.size();
      progress.accept("replaying " + count + " applied migration" + (count == 1 ? "" : "s") + " ...");
      return new Replayed(db, replay(db, source, applied, REPLAY_TIMEOUT));
    } catch (ReplayException | RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /**
   * Runs exactly the applied migrations
   * ({@link io.pgvigil.checks.history.HistoryReport#appliedMigrations()}) in the order live applied
   * them, and says how many ran; pending migrations are not drift, so not replayed. Applied scripts
   * whose file is gone are skipped (history drift reports them). A failure is a
   * {@link ReplayException} (the expected schema is unknown), never drift.
   *
   * @param statementTimeout for every statement of the replay, so that a replay cannot hang
   */
  static int replay(ShadowDatabase shadow, MigrationSource source, List<String> applied,
      Duration statementTimeout) throws ReplayException {
    // The one place that tells the tools apart: their replays need the shadow, which the
    // history package (below this one) does not know.
    if (source instanceof MigrationSource.Flyway flyway) {
      return FlywayReplay.replay(shadow, flyway, applied, statementTimeout);
    }
    PrismaReplay.replay(shadow, (MigrationSource.Prisma) source, applied, statementTimeout);
    return applied.size();
  }
}
