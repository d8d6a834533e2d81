package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.history.MigrationTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The expected schema of each target, kept while nothing it depends on changes, so that periodic
 * drift checks do not replay the history every time. One entry per target (the latest), and at
 * most {@code maxTargets} targets (least recently used go first). Thread-safe.
 *
 * @param <T> the snapshot type
 */
public final class ExpectedSchemaCache<T> {

  /**
   * What the expected schema depends on: the server major (deparsed text differs between majors),
   * the tool, the live history (Flyway: the applied scripts; Prisma: the applied names; in the
   * order live applied them) and a SHA-256 over the files a replay runs, in replay order.
   */
  public record Key(String target, int major, MigrationTool tool, List<String> history, String sha256) {
    public Key {
      history = List.copyOf(history);
    }

    /**
     * Hashes what {@link HistoryReplay#replayFlyway} will run: each applied script and its
     * .sql.conf, in the order live applied them, then the SQL callbacks of each location (the
     * replay copies and runs them too, see {@link StagedMigrations}).
     */
    public static Key flyway(String target, int major, MigrationSource.Flyway source, List<String> appliedScripts)
        throws IOException {
      List<Replayed> files = new ArrayList<>();
      for (String script : appliedScripts) {
        Path file = find(source, script);
        files.add(new Replayed(script, file));
        if (file != null && Files.isRegularFile(file.resolveSibling(file.getFileName() + ".conf"))) {
          files.add(new Replayed(script + ".conf", file.resolveSibling(file.getFileName() + ".conf")));
        }
      }
      int n = 0;
      for (Path location : source.locations()) {
        String prefix = "callbacks-" + n++ + "/";
        if (Files.isDirectory(location)) { // else the replay fails, saying so
          for (Path callback : StagedMigrations.callbackFiles(location)) {
            files.add(new Replayed(prefix + location.relativize(callback), callback));
          }
        }
      }
      return new Key(target, major, MigrationTool.FLYWAY, appliedScripts, hash(files));
    }

    private static Path find(MigrationSource.Flyway source, String script) {
      for (Path location : source.locations()) {
        Path file = location.resolve(script);
        if (Files.isRegularFile(file)) {
          return file;
        }
      }
      return null;
    }

    /** Hashes what {@link HistoryReplay#replayPrisma} will run: each applied migration.sql, in order. */
    public static Key prisma(String target, int major, MigrationSource.Prisma source, List<String> appliedNames)
        throws IOException {
      List<Replayed> files = new ArrayList<>();
      for (String name : appliedNames) {
        Path file = source.directory().resolve(name).resolve("migration.sql");
        files.add(new Replayed(name + "/migration.sql", Files.exists(file) ? file : null));
      }
      return new Key(target, major, MigrationTool.PRISMA, appliedNames, hash(files));
    }
  }

  /** A file a replay runs (null path: applied but missing); its name relative to its location. */
  private record Replayed(String name, Path path) {}

  private static String hash(List<Replayed> files) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    for (Replayed file : files) {
      // Name and length first, so that moving bytes between files changes the hash.
      digest.update(file.name().getBytes(StandardCharsets.UTF_8));
      byte[] bytes = file.path() == null ? new byte[0] : Files.readAllBytes(file.path());
      digest.update(("\0" + (file.path() == null ? -1 : bytes.length) + "\0").getBytes(StandardCharsets.UTF_8));
      digest.update(bytes);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private record Entry<T>(Key key, T value) {}

  private final Map<String, Entry<T>> entries;

  public ExpectedSchemaCache(int maxTargets) {
    if (maxTargets < 1) {
      throw new IllegalArgumentException("maxTargets must be >= 1 but was " + maxTargets);
    }
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Entry<T>> eldest) {
        return size() > maxTargets;
      }
    };
  }

  /** The cached expected schema for exactly this key, or null. */
  public synchronized T get(Key key) {
    Entry<T> entry = entries.get(key.target());
    return entry != null && entry.key().equals(key) ? entry.value() : null;
  }

  /** Replaces the target's entry. */
  public synchronized void put(Key key, T value) {
    entries.put(key.target(), new Entry<>(key, value));
  }

  /** Forgets a target, e.g. when it is removed from the configuration. */
  public synchronized void remove(String target) {
    entries.remove(target);
  }
}
