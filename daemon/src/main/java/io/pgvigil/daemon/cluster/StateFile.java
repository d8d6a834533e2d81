package io.pgvigil.daemon.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared map's copy in the data directory, replaced whole and atomically: written to a temporary file that is
 * flushed to disk, renamed over the old one, then the directory flushed too, so that a crash or a power cut leaves
 * either the old copy or the new one, never a torn or empty file (a rename alone may reach the disk before the data
 * it names: see ext4's {@code auto_da_alloc} notes and fsync(2), "calling fsync() does not necessarily ensure that
 * the entry in the directory containing the file has also reached disk"). Blocking: call it from a worker thread.
 */
final class StateFile {

  private static final Logger LOG = LoggerFactory.getLogger(StateFile.class);

  private final Path file;

  StateFile(Path file) {
    this.file = file;
  }

  Path path() {
    return file;
  }

  /** The text last written; empty when there is none. */
  String read() throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  void write(String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(dir);
  }

  /** Makes the rename durable. Some platforms (Windows) and file systems cannot open a directory: nothing to do there. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("{} cannot be flushed ({}); the rename is as durable as the file system makes it", dir, e.toString());
    }
  }
}
