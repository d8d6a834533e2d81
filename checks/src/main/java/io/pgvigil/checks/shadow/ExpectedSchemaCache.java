package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.history.MigrationSource.ReplayedFile;
import io.pgvigil.checks.history.MigrationTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The expected schema (a {@code T}) of each target, kept while nothing it depends on changes, so
 * that periodic drift checks do not replay the history every time. One entry per target (the
 * latest), at most {@code maxTargets} targets (least recently used go first). Thread-safe.
 */
public final class ExpectedSchemaCache<T> {

  /**
   * What the expected schema depends on: the server major (deparsed text differs between majors),
   * the tool, the applied history in live's order, a SHA-256 over the files a replay runs, and a variant (what the
   * snapshot of the replay compares).
   */
  public record Key(String target, int major, MigrationTool tool, List<String> history, String sha256,
      String variant) {
    public Key {
      history = List.copyOf(history);
    }

    public Key(String target, int major, MigrationTool tool, List<String> history, String sha256) {
      this(target, major, tool, history, sha256, "");
    }

    public static Key of(String target, int major, MigrationSource source, List<String> applied) throws IOException {
      return of(target, major, source, applied, "");
    }

    /** @param variant what else the expected schema depends on, e.g. what its snapshot compares */
    public static Key of(String target, int major, MigrationSource source, List<String> applied, String variant)
        throws IOException {
      return new Key(target, major, source.tool(), applied, hash(source.replayedFiles(applied)), variant);
    }
  }

  private static String hash(List<ReplayedFile> files) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    for (ReplayedFile file : files) {
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

  public synchronized T get(Key key) {
    Entry<T> entry = entries.get(key.target());
    return entry != null && entry.key().equals(key) ? entry.value() : null;
  }

  public synchronized void put(Key key, T value) {
    entries.put(key.target(), new Entry<>(key, value));
  }
}
