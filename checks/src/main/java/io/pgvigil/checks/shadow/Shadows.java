package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.MigrationSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where one target's shadows are made ({@code shadow.mode}: a private embedded server, or a new
 * database on a scratch server) and how drift and review both fill one: a shadow of the live
 * major holding the replayed applied history. Blocking: never call it on an event loop.
 */
public final class Shadows {

  /** Null: embedded. */
  private final HistoryDatabase server;
  private final Path binariesCache;
  private final Path workDir;
  private final HistoryReplay replay = new HistoryReplay();

  private Shadows(HistoryDatabase server, Path binariesCache, Path workDir) {
    this.server = server;
    this.binariesCache = binariesCache;
    this.workDir = workDir;
  }

  /** Embedded servers: binaries unpacked under {@code binariesCache}, data directories under {@code workDir}. */
  public static Shadows embedded(Path binariesCache, Path workDir) {
    return new Shadows(null, binariesCache, workDir);
  }

  /** Scratch databases on the server that {@code admin} points at (see {@link ShadowDatabases#onServer}). */
  public static Shadows onServer(HistoryDatabase admin) {
    return new Shadows(admin, null, null);
  }

  /** A shadow holding the replayed history, and how many migrations the replay ran. */
  public record Replayed(ShadowDatabase db, int migrations) implements AutoCloseable {
    @Override
    public void close() {
      db.close();
    }
  }

  /**
   * Opens a shadow of {@code major} and replays {@code applied} into it; on failure the shadow is gone.
   *
   * @param progress told before each slow step
   */
  public Replayed replay(int major, MigrationSource source, List<String> applied, Consumer<String> progress)
      throws ShadowException, ReplayException, IOException {
    progress.accept("starting a PostgreSQL " + major + " shadow ...");
    ShadowDatabase db = open(major);
    try {
      int count = applied.size();
      progress.accept("replaying " + count + " applied migration" + (count == 1 ? "" : "s") + " ...");
      return new Replayed(db, replay.replay(db, source, applied));
    } catch (ReplayException | RuntimeException e) {
      db.close();
      throw e;
    }
  }

  private ShadowDatabase open(int major) throws ShadowException, IOException {
    if (server != null) {
      return ShadowDatabases.onServer(server, major);
    }
    Files.createDirectories(workDir);
    return ShadowDatabases.embedded(major, binariesCache, workDir);
  }
}
