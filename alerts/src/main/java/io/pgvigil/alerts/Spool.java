package io.pgvigil.alerts;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undelivered notifications on disk, one file each: {@code <dir>/<sink>/<seq>.ntf}, seq zero-padded to 20 digits so
 * name order is send order; two lines, {@code pgvigil-spool 1 <crc32 hex of line 2>} and the JSON.
 *
 * <p>Crash safety: written as {@code .tmp-<seq>}, forced, atomically renamed, and the directory forced so the rename
 * survives power loss (fsync(2): fsync on the file "does not necessarily ensure that the entry in the directory
 * containing the file has also reached disk"). A crash leaves no file or a complete one; leftover temp files are
 * deleted on load, and an unreadable entry (checksum, encoding, not a regular file) is renamed {@code .corrupt} and
 * logged, never sent. Files are 0600 and directories 0700: a notification carries table and role names. Blocking: call
 * through {@code executeBlocking}.
 */
public final class Spool {

  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final String MAGIC = "pgvigil-spool 1 ";
  private static final String SUFFIX = ".ntf";
  private static final String TMP_PREFIX = ".tmp-";
  private static final String CORRUPT = ".corrupt";
  private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PRIVATE_DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Pattern SINK_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  private final Path dir;
  private final int maxPerSink;
  private final AtomicLong nextSeq = new AtomicLong(1);

  public Spool(Path dir, int maxPerSink) {
    if (maxPerSink < 1) {
      throw new IllegalArgumentException("maxPerSink must be > 0");
    }
    this.dir = dir;
    this.maxPerSink = maxPerSink;
  }

  public int maxPerSink() {
    return maxPerSink;
  }

  long nextSeq() {
    return nextSeq.getAndIncrement();
  }

  /**
   * The sink's spooled notifications in send order; cleans up what a crash left behind. An unreadable entry is moved
   * aside, never fatal: one bad file must not keep the daemon down.
   */
  public List<Notification> load(String sink) throws IOException {
    Path sinkDir = sinkDir(sink);
    createPrivateDirectories(sinkDir);
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(sinkDir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.contains(CORRUPT)) {
          continue; // moved aside before, kept for a person to look at
        }
        boolean regular = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
        if (name.startsWith(TMP_PREFIX) && regular) {
          Files.deleteIfExists(p); // never renamed: the enqueue never completed
        } else if (name.endsWith(SUFFIX) && regular) {
          files.add(p);
        } else if (name.endsWith(SUFFIX) || name.startsWith(TMP_PREFIX)) {
          quarantine(p, "not a regular file");
        }
      }
    }
    files.sort(null);
    List<Notification> out = new ArrayList<>();
    for (Path p : files) {
      Notification n = read(p);
      if (n != null) {
        out.add(n);
        nextSeq.accumulateAndGet(n.seq() + 1, Math::max);
      }
    }
    return out;
  }

  /** Writes, forces and renames into place; on failure removes the temp file and throws. */
  public void write(Notification n) throws IOException {
    Path sinkDir = sinkDir(n.sink());
    createPrivateDirectories(sinkDir);
    byte[] json = AlertJson.notification(n).encode().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(json);
    byte[] header = (MAGIC + Long.toHexString(crc.getValue()) + "\n").getBytes(StandardCharsets.US_ASCII);
    Path tmp = sinkDir.resolve(TMP_PREFIX + fileName(n.seq()));
    Files.deleteIfExists(tmp); // permissions are set at creation only
    try {
      try (FileChannel ch = createPrivateFile(tmp)) {
        ByteBuffer buf = ByteBuffer.allocate(header.length + json.length + 1);
        buf.put(header).put(json).put((byte) '\n').flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, sinkDir.resolve(fileName(n.seq())), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the disk that failed the write may fail this too; load() removes temp files
      }
      throw e;
    }
    forceDirectory(sinkDir);
  }

  public void delete(Notification n) throws IOException {
    Path sinkDir = sinkDir(n.sink());
    Files.deleteIfExists(sinkDir.resolve(fileName(n.seq())));
    forceDirectory(sinkDir);
  }

  private Notification read(Path p) {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(p))).toString();
      int nl = text.indexOf('\n');
      if (!text.startsWith(MAGIC) || nl < 0) {
        throw new IllegalArgumentException("no header");
      }
      String json = text.substring(nl + 1).strip();
      CRC32 crc = new CRC32();
      crc.update(json.getBytes(StandardCharsets.UTF_8));
      if (!Long.toHexString(crc.getValue()).equals(text.substring(MAGIC.length(), nl))) {
        throw new IllegalArgumentException("checksum mismatch");
      }
      return AlertJson.notification(new JsonObject(json));
    } catch (CharacterCodingException e) {
      quarantine(p, "not UTF-8");
    } catch (IOException | RuntimeException e) {
      quarantine(p, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
    return null;
  }

  /** Renames an unreadable entry {@code <name>.corrupt} (never overwriting one) and says so. */
  private static void quarantine(Path p, String why) {
    Path target = p.resolveSibling(p.getFileName() + CORRUPT);
    for (int i = 1; Files.exists(target, LinkOption.NOFOLLOW_LINKS); i++) {
      target = p.resolveSibling(p.getFileName() + CORRUPT + "-" + i);
    }
    try {
      Files.move(p, target);
      LOG.error("Spooled notification {} is unreadable ({}); moved aside as {}, not sent",
          p.getFileName(), why, target.getFileName());
    } catch (IOException e) {
      LOG.error("Spooled notification {} is unreadable ({}) and cannot be moved aside ({}); "
          + "skipped, not sent", p.getFileName(), why, e.toString());
    }
  }

  private Path sinkDir(String sink) {
    if (!SINK_NAME.matcher(sink).matches()) {
      throw new IllegalArgumentException("sink name '" + sink + "' must match " + SINK_NAME);
    }
    return dir.resolve(sink);
  }

  private static String fileName(long seq) {
    return String.format(Locale.ROOT, "%020d", seq) + SUFFIX;
  }

  /** Owner-only (0700) where the file system has POSIX modes. */
  private static void createPrivateDirectories(Path d) throws IOException {
    if (Files.isDirectory(d)) {
      return;
    }
    try {
      Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PRIVATE_DIRECTORY));
    } catch (UnsupportedOperationException notPosix) {
      Files.createDirectories(d);
    }
  }

  private static FileChannel createPrivateFile(Path p) throws IOException {
    Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      return FileChannel.open(p, options, PosixFilePermissions.asFileAttribute(PRIVATE_FILE));
    } catch (UnsupportedOperationException notPosix) {
      return FileChannel.open(p, options);
    }
  }

  /** Linux needs a directory fsync for a rename to be durable; other systems may refuse it. */
  private static void forceDirectory(Path d) {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException notSupported) {
      // Windows cannot open a directory as a channel; its rename is already durable (NTFS log)
    }
  }
}
