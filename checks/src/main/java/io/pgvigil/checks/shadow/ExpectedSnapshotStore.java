package io.pgvigil.checks.shadow;

import io.pgvigil.checks.embedded.FileTrees;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.SchemaSnapshot;
import io.pgvigil.checks.schema.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Expected schemas kept on disk between runs: the snapshot of a replayed history, one file per key under {@code
 * directory}, so that a {@code drift} run (or a daemon restart) whose history has not changed reads it in
 * milliseconds instead of starting a shadow and replaying. The key is a SHA-256 over everything the snapshot depends
 * on: pgvigil's build, the shadow's server (the bundled PostgreSQL's exact version, or a url shadow's major), the tool
 * and its settings, the applied history in order with the bytes of every file it replays, what the snapshot compares
 * and ignores, and the live roles the files name (made on the shadow before the replay). Any change is a miss, never
 * a stale schema.
 *
 * <p>A file holds its key, a description of the replay it came from, the snapshot ({@link SnapshotCodec}) and a
 * CRC-32C of all of it; one that does not check out is removed and the history replayed again. Written to a temp file
 * and renamed into place, so that a reader sees a whole entry or none; not synced: a file a crash left torn fails its
 * CRC. The {@code keep} entries used last are kept. The directory must be ours and writable by us alone ({@link
 * #unsafe()}): a planted entry would hide drift. Blocking: never call it on an event loop.
 */
public final class ExpectedSnapshotStore {

  /** Entries kept: a snapshot of a large schema is a few megabytes, of a small one a few kilobytes. */
  public static final int DEFAULT_KEEP = 32;
  private static final String SUFFIX = ".schema";
  private static final byte[] MAGIC = "pgvigil expected schema\n".getBytes(StandardCharsets.US_ASCII);
  /** Where SQL lists roles: a file that reads one of them may depend on every role. */
  private static final List<String> ROLE_CATALOGS =
      List.of("pg_roles", "pg_authid", "pg_user", "pg_auth_members", "pg_shadow");

  /** What an entry holds. */
  public record Stored(SchemaSnapshot snapshot, String from) {}

  private final Path directory;
  private final String pgvigilVersion;
  private final int keep;
  private final Clock clock;

  /** @param pgvigilVersion part of the key: another pgvigil may snapshot differently */
  public ExpectedSnapshotStore(Path directory, String pgvigilVersion, int keep, Clock clock) {
    this.directory = directory;
    this.pgvigilVersion = pgvigilVersion;
    this.keep = keep;
    this.clock = clock;
  }

  public Path directory() {
    return directory;
  }

  /** Null when the directory may hold the store (see {@link CacheDirectory#unsafe}); else why not. */
  public String unsafe() {
    return CacheDirectory.unsafe(directory);
  }

  /**
   * The key of the schema {@code applied} replays to.
   *
   * @param server  the shadow's server: its exact version, or what stands for it
   * @param variant what the snapshot compares and ignores
   * @param roles   the live roles made on the shadow before the replay; only those a replayed file names count
   */
  public String key(String server, MigrationSource source, List<String> applied, String variant,
      Collection<String> roles) throws IOException {
    return CacheDirectory.key(List.of("pgvigil expected schema 1", pgvigilVersion, server, variant,
        String.join("\n", named(source, applied, roles))), source, applied);
  }

  /**
   * The roles whose name a replayed file holds (case-insensitively): the others cannot change what it replays to.
   * Every role where a file reads the catalog's roles ({@code pg_roles}, {@code pg_authid}, …): a DO block granting
   * to each {@code tenant_%} role names none of them.
   */
  private static TreeSet<String> named(MigrationSource source, List<String> applied, Collection<String> roles)
      throws IOException {
    List<String> texts = new ArrayList<>();
    boolean readsRoles = false;
    for (MigrationSource.ReplayedFile file : source.replayedFiles(applied)) {
      if (file.path() != null) {
        String text = new String(Files.readAllBytes(file.path()), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        texts.add(text);
        readsRoles |= ROLE_CATALOGS.stream().anyMatch(text::contains);
      }
    }
    TreeSet<String> named = new TreeSet<>();
    for (String role : roles) {
      String lower = role.toLowerCase(Locale.ROOT);
      if (readsRoles || texts.stream().anyMatch(t -> t.contains(lower))) {
        named.add(role);
      }
    }
    return named;
  }

  /**
   * The entry under {@code key}, or empty; an entry that does not check out is removed and {@code problems} told
   * why (the caller replays again).
   */
  public Optional<Stored> read(String key, Consumer<String> problems) {
    Path file = directory.resolve(key + SUFFIX);
    byte[] bytes;
    try {
      bytes = readOwn(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      problems.accept("cannot read the cached expected schema " + file + ": " + e.getMessage());
      return Optional.empty();
    }
    try {
      Stored stored = decode(key, bytes);
      try {
        Files.setLastModifiedTime(file, FileTime.from(clock.instant())); // the order of pruning
      } catch (IOException e) {
        // costs only the order
      }
      return Optional.of(stored);
    } catch (IOException | RuntimeException e) {
      problems.accept("the cached expected schema " + key.substring(0, 12) + " is unusable (" + e.getMessage()
          + "); removing it and replaying the history again");
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // the next write replaces it
      }
      return Optional.empty();
    }
  }

  /**
   * The file's bytes when it is a regular file (not followed if a link) that we own; else an IOException. Another
   * user cannot make a file that we own, so whatever they do to the directories above (swap ours for theirs, in a
   * directory all may write), nothing of theirs is read; what of ours they could move is a genuine entry, which
   * holds its own key.
   */
  private byte[] readOwn(Path file) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isRegularFile()) {
      throw new IOException(file + " is not a regular file");
    }
    PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    if (posix != null && !posix.readAttributes().owner().equals(CacheDirectory.currentUser())) {
      throw new IOException(file + " belongs to " + posix.readAttributes().owner().getName());
    }
    try (SeekableByteChannel channel = Files.newByteChannel(file, Set.of(StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS))) {
      return Channels.newInputStream(channel).readAllBytes();
    }
  }

  /** Marks the entry under {@code key} as used now (the order of pruning); nothing when it is gone. */
  public void markUsed(String key) {
    try {
      Files.setLastModifiedTime(directory.resolve(key + SUFFIX), FileTime.from(clock.instant()));
    } catch (IOException e) {
      // gone, or not ours to touch: costs only the order
    }
  }

  /** Keeps {@code stored} under {@code key}; a failure is told and costs only the next run's time. */
  public void write(String key, Stored stored, Consumer<String> problems) {
    Path temp = null;
    try {
      Files.createDirectories(directory);
      temp = Files.createTempFile(directory, ".tmp-", SUFFIX);
      Files.write(temp, encode(key, stored));
      Files.move(temp, directory.resolve(key + SUFFIX), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      temp = null;
      prune();
    } catch (IOException | RuntimeException e) {
      problems.accept("cannot keep the expected schema in " + directory + ": " + e.getMessage());
    } finally {
      if (temp != null) {
        FileTrees.deleteQuietly(temp);
      }
    }
  }

  static byte[] encode(String key, Stored stored) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(MAGIC);
    out.writeUTF(key);
    byte[] from = stored.from().getBytes(StandardCharsets.UTF_8);
    out.writeInt(from.length);
    out.write(from);
    SnapshotCodec.write(stored.snapshot(), out);
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  static Stored decode(String key, byte[] bytes) throws IOException {
    if (bytes.length < MAGIC.length + 4) {
      throw new IOException("too short");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw new IOException("checksum mismatch");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4));
    byte[] magic = in.readNBytes(MAGIC.length);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException("not an expected schema");
    }
    if (!in.readUTF().equals(key)) {
      throw new IOException("it holds another key");
    }
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException("truncated");
    }
    String from = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    SchemaSnapshot snapshot = SnapshotCodec.read(in);
    if (in.available() != 0) {
      throw new IOException("trailing bytes");
    }
    return new Stored(snapshot, from);
  }

  /** Keeps the {@code keep} entries used last; drops temp files a killed run left behind. */
  private void prune() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.toList();
    }
    Instant stale = clock.instant().minusSeconds(3600);
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.startsWith(".tmp-") && lastUse(p).isBefore(stale)) {
        FileTrees.deleteQuietly(p);
      }
    }
    files.stream()
        .filter(p -> p.getFileName().toString().endsWith(SUFFIX) && !p.getFileName().toString().startsWith("."))
        .sorted(Comparator.comparing(ExpectedSnapshotStore::lastUse).reversed())
        .skip(keep)
        .forEach(FileTrees::deleteQuietly);
  }

  private static Instant lastUse(Path file) {
    try {
      return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
    } catch (IOException e) {
      return Instant.EPOCH;
    }
  }
}
