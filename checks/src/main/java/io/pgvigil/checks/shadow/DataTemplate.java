package io.pgvigil.checks.shadow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A copy of a cleanly stopped PostgreSQL data directory ({@code <dir>/data}) and the list of its files with their
 * sizes and CRC-32C ({@code <dir>/files}), from which a new cluster is made by copying. Copies, never hard links:
 * PostgreSQL writes to its files in place, so a link would let one cluster change another. The list makes a copy from
 * a template that lost, truncated or damaged a file fail, rather than start a cluster that answers wrongly: after a
 * crash a file can keep its size yet hold zeros, and PostgreSQL reads a zeroed page as an empty one. Every file and
 * directory is fsynced when saved, so a template renamed into place survives a crash whole.
 *
 * <p>The checksum is CRC-32C, not SHA-256: it catches damage (not tampering, which the cache's ownership check
 * keeps out) and reading 40 MB with it took about 30 ms on the 2-core development machine, with SHA-256 about 100.
 */
record DataTemplate(Path dir) {

  private static final String DATA = "data";
  private static final String FILES = "files";

  /**
   * Copies the stopped cluster {@code source} into {@code dir/data}, nothing synced or listed yet: {@link #seal()}
   * makes it a template. Split so that the server can start again on {@code source} as soon as the copy is made, and
   * the slow part (an fsync of every file) runs beside it.
   */
  static DataTemplate copy(Path source, Path dir) throws IOException {
    Path data = dir.resolve(DATA);
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path from : walk.toList()) {
        String relative = source.relativize(from).toString();
        if (relative.equals("postmaster.pid")) {
          continue; // gone after a clean stop; never copy a live server's
        }
        // COPY_ATTRIBUTES keeps the modes: PostgreSQL refuses a data directory others may read.
        Files.copy(from, data.resolve(relative), StandardCopyOption.COPY_ATTRIBUTES);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return new DataTemplate(dir);
  }

  /** Lists the copied files with their sizes and checksums, and fsyncs every file and directory, the list last. */
  DataTemplate seal() throws IOException {
    Path data = dir.resolve(DATA);
    List<String> files = new ArrayList<>();
    List<Path> directories = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(data)) {
      for (Path file : walk.toList()) {
        if (Files.isRegularFile(file)) {
          files.add(Files.size(file) + " " + Long.toHexString(checksum(file, true)) + " " + data.relativize(file));
        } else {
          directories.add(file);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    Files.write(dir.resolve(FILES), files, StandardCharsets.UTF_8);
    sync(dir.resolve(FILES));
    for (Path directory : directories) {
      sync(directory);
    }
    sync(dir);
    return this;
  }

  /** Whether the template was completely written: its file list is the last thing written. */
  boolean complete() {
    return Files.isRegularFile(dir.resolve(FILES)) && Files.isRegularFile(dir.resolve(DATA).resolve("PG_VERSION"));
  }

  /** Makes {@code target} (absent) a copy; fails when a listed file is missing or has another size or checksum. */
  void copyTo(Path target) throws IOException {
    Path data = dir.resolve(DATA);
    List<String> listed = Files.readAllLines(dir.resolve(FILES), StandardCharsets.UTF_8);
    int copied = 0;
    try (Stream<Path> walk = Files.walk(data)) {
      for (Path from : walk.toList()) {
        Path to = target.resolve(data.relativize(from).toString());
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        copied += Files.isRegularFile(to) ? 1 : 0;
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    for (String line : listed) {
      String[] fields = line.split(" ", 3);
      if (fields.length != 3) {
        throw new IOException("its file list is damaged");
      }
      Path copy = target.resolve(fields[2]);
      if (!Files.isRegularFile(copy) || Files.size(copy) != Long.parseLong(fields[0])) {
        throw new IOException("its file " + fields[2] + " is missing or has another size");
      }
      if (checksum(copy, false) != Long.parseUnsignedLong(fields[1], 16)) {
        throw new IOException("its file " + fields[2] + " is damaged (another checksum)");
      }
    }
    if (copied != listed.size()) {
      throw new IOException("it holds " + copied + " files where " + listed.size() + " were saved");
    }
  }

  /** The CRC-32C of {@code file}; with {@code sync}, forced to disk first. */
  private static long checksum(Path file, boolean sync) throws IOException {
    CRC32C crc = new CRC32C();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (sync) {
        channel.force(true);
      }
      ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        crc.update(buffer);
        buffer.clear();
      }
    }
    return crc.getValue();
  }

  /**
   * fsync: a file's bytes, or a directory's entries (a new name survives a crash only once its directory is synced).
   * Where a directory cannot be opened (Windows), its entries are left to the file system.
   */
  static void sync(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (!Files.isDirectory(path)) {
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
