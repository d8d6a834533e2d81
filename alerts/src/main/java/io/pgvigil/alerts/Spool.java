package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.AlertJson;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undelivered notifications on disk, one file per notification: {@code <dir>/<sink>/<seq>.ntf},
 * seq zero-padded to 20 digits so name order is send order. A file is two lines:
 * {@code pgvigil-spool 1 <crc32 hex of line 2>} and the notification as JSON.
 *
 * <p>Crash safety: a file is written as {@code .tmp-<seq>}, forced to disk
 * ({@link FileChannel#force}), atomically renamed ({@link StandardCopyOption#ATOMIC_MOVE}, a
 * {@code rename(2)}), and the directory is forced so the rename itself survives power loss
 * (fsync(2): "calling fsync() on the file does not necessarily ensure that the entry in the
 * directory containing the file has also reached disk"). A crash therefore leaves either no file
 * or a complete one; leftover temp files are deleted on load and a file whose checksum fails is
 * renamed {@code .corrupt} and logged, never sent. Blocking: call through {@code executeBlocking}.
 */
public final class Spool {

  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
  private static final String MAGIC = "pgvigil-spool 1 ";
  private static final String SUFFIX = ".ntf";
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

  /** The sink's spooled notifications in send order; cleans up what a crash left behind. */
  public List<Notification> load(String sink) throws IOException {
    Path sinkDir = sinkDir(sink);
    Files.createDirectories(sinkDir);
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(sinkDir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.startsWith(".tmp-")) {
          Files.deleteIfExists(p); // never renamed: the enqueue never completed
        } else if (name.endsWith(SUFFIX)) {
          files.add(p);
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

  public void write(Notification n) throws IOException {
    Path sinkDir = sinkDir(n.sink());
    Files.createDirectories(sinkDir);
    byte[] json = AlertJson.notification(n).encode().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(json);
    byte[] header = (MAGIC + Long.toHexString(crc.getValue()) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    Path tmp = sinkDir.resolve(".tmp-" + fileName(n.seq()));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocate(header.length + json.length + 1);
      buf.put(header).put(json).put((byte) '\n').flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, sinkDir.resolve(fileName(n.seq())), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    forceDirectory(sinkDir);
  }

  public void delete(Notification n) throws IOException {
    Path sinkDir = sinkDir(n.sink());
    Files.deleteIfExists(sinkDir.resolve(fileName(n.seq())));
    forceDirectory(sinkDir);
  }

  private Notification read(Path p) throws IOException {
    String text = Files.readString(p, StandardCharsets.UTF_8);
    int nl = text.indexOf('\n');
    try {
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
    } catch (RuntimeException e) {
      Path quarantine = p.resolveSibling(p.getFileName() + ".corrupt");
      Files.move(p, quarantine, StandardCopyOption.REPLACE_EXISTING);
      LOG.error("Spooled notification {} is unreadable ({}); moved aside as {}",
          p.getFileName(), e.getMessage(), quarantine.getFileName());
      return null;
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

  /** Linux needs a directory fsync for a rename to be durable; other systems may refuse it. */
  private static void forceDirectory(Path d) {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException notSupported) {
      // Windows cannot open a directory as a channel; its rename is already durable (NTFS log)
    }
  }
}
