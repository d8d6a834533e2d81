package io.pgvigil.checks.shadow;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.embedded.FileTrees;
import io.pgvigil.checks.history.MigrationSource;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Replayed embedded shadows kept between runs. After a replay, the shadow's cluster is stopped cleanly and packed
 * into {@code directory/<key>} ({@link DataTemplate}); the run goes on with a server on its cluster at once, while the
 * pack is synced and renamed into place beside it. The next run with the same key unpacks it and starts PostgreSQL on
 * the copy,
 * skipping initdb and the replay (about 4 of the 5 seconds of a review of a 50-migration history). The key is a
 * SHA-256 over everything the replayed cluster depends on: pgvigil's version, the bundled PostgreSQL's exact version,
 * the tool and its settings, and the applied files in order with their bytes
 * ({@link ExpectedSchemaCache.Key#of}). Any change is a miss, never a stale shadow.
 *
 * <p>Safe for runs at once: an entry is written in a private temp directory and renamed into place atomically (a
 * loser of the race drops its copy); readers copy it, never use it in place; an entry that cannot be copied or
 * started is removed and the history replayed again. The newest {@code keep} entries (by last use) are kept. A
 * {@code shadow.mode: url} shadow is not cached. Blocking: never call it on an event loop.
 *
 * <p>PostgreSQL is started on what the cache holds, and a cluster's files can make it run commands (an
 * {@code archive_command} in {@code postgresql.auto.conf}): the directory must be ours and writable by us alone
 * ({@link #unsafe()}), and an entry ours too. Where the file system has no POSIX owners and modes, this is not
 * checked.
 */
public final class ShadowCache {

  /** Entries kept: each is a stopped cluster of about 40 MB. */
  public static final int DEFAULT_KEEP = 4;
  private static final String ENTRY = "entry.properties";
  private static final Duration STALE = Duration.ofHours(1);

  private final Path directory;
  private final String pgvigilVersion;
  private final int keep;
  private final Clock clock;

  /** @param pgvigilVersion part of the key: another pgvigil may replay differently */
  public ShadowCache(Path directory, String pgvigilVersion, int keep, Clock clock) {
    this.directory = directory;
    this.pgvigilVersion = pgvigilVersion;
    this.keep = keep;
    this.clock = clock;
  }

  public Path directory() {
    return directory;
  }

  /**
   * Null when the directory may hold the cache: ours, and writable by nobody else (created 0700 when absent); else
   * why not. Another local user who could write there could plant an entry that PostgreSQL, started by us, obeys.
   */
  public String unsafe() {
    return CacheDirectory.unsafe(directory);
  }

  /**
   * As {@link Shadows#replay}, from the cache when it holds this history: the progress says which. A url shadow is
   * replayed as always.
   */
  public Shadows.Replayed replay(Shadows shadows, int major, MigrationSource source, List<String> applied,
      Consumer<String> progress) throws ShadowException, ReplayException, IOException {
    if (shadows.server() != null) {
      return shadows.replay(major, source, applied, progress);
    }
    String key = key(major, source, applied);
    Path entry = directory.resolve(key);
    if (Files.exists(entry)) {
      try {
        return fromCache(shadows, major, entry, progress);
      } catch (ShadowException | IOException | RuntimeException e) {
        progress.accept("the cached shadow " + key.substring(0, 12) + " is unusable (" + e.getMessage()
            + "); removing it and replaying the history again");
        remove(entry);
      }
    }
    Shadows.Replayed replayed = shadows.replay(major, source, applied, progress);
    EmbeddedShadow db = (EmbeddedShadow) replayed.db();
    Path copy = copy(db, progress);
    // The copy is sealed (each file fsynced and checksummed, the most of a save) beside the review, which goes on
    // with a new server on the original cluster; closing the Replayed waits for it.
    CompletableFuture<Void> saving = copy == null ? CompletableFuture.completedFuture(null)
        : CompletableFuture.runAsync(() -> seal(copy, entry, replayed.migrations(), progress),
            task -> new Thread(task, "pgvigil-shadow-cache-save").start());
    try {
      return new Shadows.Replayed(db.restarted(), replayed.migrations(), saving);
    } catch (ShadowException | RuntimeException e) {
      db.close();
      saving.join();
      throw e;
    }
  }

  private Shadows.Replayed fromCache(Shadows shadows, int major, Path entry, Consumer<String> progress)
      throws ShadowException, IOException {
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(entry.resolve(ENTRY), StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    PosixFileAttributeView view = Files.getFileAttributeView(entry, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (view != null && !view.readAttributes().owner().equals(Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS))) {
      throw new IOException("it belongs to " + view.readAttributes().owner().getName());
    }
    DataTemplate template = new DataTemplate(entry);
    if (!template.complete()) {
      throw new IOException("incomplete entry");
    }
    int migrations = Integer.parseInt(properties.getProperty("migrations"));
    progress.accept("starting a PostgreSQL " + major + " shadow from the cache (" + migrations + " applied migration"
        + (migrations == 1 ? "" : "s") + " replayed " + properties.getProperty("created") + ") ...");
    EmbeddedShadow db = EmbeddedShadow.start(major, shadows.binariesCache(), shadows.workDir(), template);
    // Last use orders the entries for pruning; a failure here costs only the order.
    try {
      Files.setLastModifiedTime(entry.resolve(ENTRY), FileTime.from(clock.instant()));
    } catch (IOException e) {
      // ignored: see above
    }
    return new Shadows.Replayed(db, migrations);
  }

  /**
   * Stops the replayed shadow and copies its cluster to a temp directory of the cache (go on with
   * {@link EmbeddedShadow#restarted()}); null when that failed, which is told and costs only the next run's time.
   */
  private Path copy(EmbeddedShadow db, Consumer<String> progress) {
    progress.accept("saving the replayed shadow to the cache " + directory + " ...");
    Path temp = null;
    try {
      Files.createDirectories(directory);
      temp = Files.createTempDirectory(directory, ".tmp-");
      db.stopAndCopyTo(temp);
      return temp;
    } catch (IOException | RuntimeException e) {
      progress.accept("cannot save the replayed shadow to the cache " + directory + ": " + e.getMessage());
      if (temp != null) {
        FileTrees.deleteQuietly(temp);
      }
      return null;
    }
  }

  /**
   * Makes the copy in {@code temp} the entry {@code entry}: fsynced and listed, then renamed into place; a failure is
   * told and costs only the next run's time.
   */
  private void seal(Path temp, Path entry, int migrations, Consumer<String> progress) {
    try {
      new DataTemplate(temp).seal();
      Properties properties = new Properties();
      properties.setProperty("migrations", Integer.toString(migrations));
      properties.setProperty("created", clock.instant().toString());
      properties.setProperty("pgvigil", pgvigilVersion);
      try (Writer out = Files.newBufferedWriter(temp.resolve(ENTRY), StandardCharsets.UTF_8)) {
        properties.store(out, "a replayed pgvigil shadow; safe to delete");
      }
      // Durable before it gets its name: a crash must leave no entry whose files hold zeros.
      DataTemplate.sync(temp.resolve(ENTRY));
      DataTemplate.sync(temp);
      if (moveIntoPlace(temp, entry)) {
        DataTemplate.sync(directory);
      }
      prune();
    } catch (IOException | RuntimeException e) {
      progress.accept("cannot save the replayed shadow to the cache " + directory + ": " + e.getMessage());
    } finally {
      FileTrees.deleteQuietly(temp);
    }
  }

  /**
   * Renames {@code temp} to {@code entry}; false when another run saved the same history first (its copy is as good as
   * ours). That is judged by the entry being there after the rename failed, not by the exception: renaming onto a
   * non-empty directory fails on Linux with ENOTEMPTY, which the JDK reports as a plain FileSystemException.
   */
  static boolean moveIntoPlace(Path temp, Path entry) throws IOException {
    try {
      Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      if (Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      throw e;
    }
  }

  /** Keeps the {@code keep} entries used last; drops temp and trash directories a killed run left behind. */
  private void prune() throws IOException {
    List<Path> entries;
    try (Stream<Path> list = Files.list(directory)) {
      entries = list.toList();
    }
    Instant stale = clock.instant().minus(STALE);
    for (Path p : entries) {
      if (p.getFileName().toString().startsWith(".") && Files.getLastModifiedTime(p).toInstant().isBefore(stale)) {
        FileTrees.deleteQuietly(p);
      }
    }
    List<Path> byUse = entries.stream().filter(p -> !p.getFileName().toString().startsWith("."))
        .sorted(Comparator.comparing(ShadowCache::lastUse).reversed()).toList();
    byUse.stream().skip(keep).forEach(this::remove);
  }

  private static Instant lastUse(Path entry) {
    try {
      return Files.getLastModifiedTime(entry.resolve(ENTRY)).toInstant();
    } catch (IOException e) {
      return Instant.EPOCH; // incomplete: first to go
    }
  }

  /** Renamed away first, so that no reader finds a half-deleted entry under its key. */
  private void remove(Path entry) {
    Path trash = null;
    try {
      trash = Files.createTempDirectory(directory, ".trash-");
      Files.move(entry, trash.resolve("entry"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      FileTrees.deleteQuietly(entry); // already gone (another run removed it), or not movable: delete in place
    } finally {
      FileTrees.deleteQuietly(trash);
    }
  }

  /** Everything a replayed cluster depends on, hashed. */
  String key(int major, MigrationSource source, List<String> applied) throws IOException {
    return CacheDirectory.key(List.of("pgvigil shadow cache 4", pgvigilVersion, EmbeddedPostgres.bundledVersion(major)),
        source, applied);
  }
}
