package io.pgvigil.checks.shadow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A cleanly stopped PostgreSQL data directory packed into one file ({@code <dir>/data.pack}: every file's bytes, one
 * after the other) and its list ({@code <dir>/files}: each directory, and each file with its size and CRC-32C, in the
 * order of the pack, then a line with the CRC-32C of the list itself), from which a new cluster is made by unpacking. One file rather than a copy of the cluster's
 * thousand: a save is one fsync, not a thousand (a second or more on a busy disk), and a use reads one file. Unpacked,
 * never used in place: PostgreSQL writes to its files. The checksums make an unpack from a pack that lost, truncated
 * or damaged bytes fail, rather than start a cluster that answers wrongly: after a crash a file can keep its size yet
 * hold zeros, and PostgreSQL reads a zeroed page as an empty one. The list is renamed into place last, after the pack
 * and itself are synced, so a template whose list is there survives a crash whole.
 *
 * <p>The checksum is CRC-32C, not SHA-256: it catches damage (not tampering, which the cache's ownership check keeps
 * out) and computing it over 40 MB took about 30 ms on the 2-core development machine, with SHA-256 about 100.
 */
record DataTemplate(Path dir) {

  private static final String PACK = "data.pack";
  private static final String FILES = "files";
  private static final String UNSEALED = "files.part";
  /** The list's last line: {@code crc <CRC-32C of the lines before it, each with its \n>}. */
  private static final String CHECKED = "crc ";
  private static final int BUFFER = 1 << 20;
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  /**
   * Packs the stopped cluster {@code source} into {@code dir} (which exists), nothing synced yet: {@link #seal()} makes
   * it a template. Split so that the server can start again on {@code source} as soon as the copy is made, and the
   * fsync runs beside it.
   */
  static DataTemplate copy(Path source, Path dir) throws IOException {
    List<String> listed = new ArrayList<>();
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    try (FileChannel pack = FileChannel.open(dir.resolve(PACK), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE); Stream<Path> walk = Files.walk(source)) {
      for (Path from : walk.toList()) {
        String relative = source.relativize(from).toString().replace('\\', '/');
        if (relative.isEmpty() || relative.equals("postmaster.pid")) {
          continue; // the pid file is gone after a clean stop; never copy a live server's
        }
        if (Files.isDirectory(from)) {
          listed.add("d " + relative);
          continue;
        }
        CRC32C crc = new CRC32C();
        long size = 0;
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
          while (in.read(buffer) >= 0) {
            buffer.flip();
            size += buffer.remaining();
            crc.update(buffer.duplicate());
            while (buffer.hasRemaining()) {
              pack.write(buffer);
            }
            buffer.clear();
          }
        }
        listed.add("f " + size + " " + Long.toHexString(crc.getValue()) + " " + relative);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    listed.add(CHECKED + checksum(listed));
    Files.write(dir.resolve(UNSEALED), listed, StandardCharsets.UTF_8);
    return new DataTemplate(dir);
  }

  /** Syncs the pack and the list, then gives the list its name: from then on the template is {@link #complete()}. */
  DataTemplate seal() throws IOException {
    sync(dir.resolve(PACK));
    sync(dir.resolve(UNSEALED));
    Files.move(dir.resolve(UNSEALED), dir.resolve(FILES), StandardCopyOption.ATOMIC_MOVE);
    sync(dir);
    return this;
  }

  /** Whether the template was completely written: its list gets its name last. */
  boolean complete() {
    return Files.isRegularFile(dir.resolve(FILES)) && Files.isRegularFile(dir.resolve(PACK));
  }

  /**
   * Makes {@code target} (absent) a cluster from the pack, directories 0700 and files 0600 as PostgreSQL wants them;
   * fails when the pack is shorter or longer than its list says or a file's bytes have another checksum.
   */
  void copyTo(Path to) throws IOException {
    List<String> listed = checked(Files.readAllLines(dir.resolve(FILES), StandardCharsets.UTF_8));
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    // Compared with normalized paths in within(): a root like ./d or a/../d would refuse every file.
    Path target = to.toAbsolutePath().normalize();
    Files.createDirectory(target, attributes("rwx------"));
    try (FileChannel pack = FileChannel.open(dir.resolve(PACK), StandardOpenOption.READ)) {
      for (String line : listed) {
        String[] fields = line.split(" ", line.startsWith("f ") ? 4 : 2);
        if (fields[0].equals("d") && fields.length == 2) {
          Files.createDirectory(within(target, fields[1]), attributes("rwx------"));
        } else if (fields[0].equals("f") && fields.length == 4 && !fields[1].startsWith("-")) {
          unpack(pack, buffer, Long.parseLong(fields[1]), Long.parseUnsignedLong(fields[2], 16),
              within(target, fields[3]));
        } else {
          throw new IOException("its file list is damaged");
        }
      }
      if (pack.position() != pack.size()) {
        throw new IOException("its pack holds " + (pack.size() - pack.position()) + " bytes more than its list");
      }
    } catch (NumberFormatException e) {
      throw new IOException("its file list is damaged", e);
    }
  }

  private static void unpack(FileChannel pack, ByteBuffer buffer, long size, long checksum, Path to)
      throws IOException {
    CRC32C crc = new CRC32C();
    long left = size;
    try (FileChannel out = FileChannel.open(to, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        attributes("rw-------"))) {
      while (left > 0) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), left));
        if (pack.read(buffer) < 0) {
          throw new IOException("its pack ends before its file " + to.getFileName() + " does");
        }
        buffer.flip();
        left -= buffer.remaining();
        crc.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
          out.write(buffer);
        }
      }
    }
    if (crc.getValue() != checksum) {
      throw new IOException("its file " + to.getFileName() + " is damaged (another checksum)");
    }
  }

  /**
   * The list without its last line, which must be the CRC-32C of the lines before it: a list that lost or changed
   * bytes would otherwise unpack the pack into the wrong files, or only some of them, checksums and all.
   */
  private static List<String> checked(List<String> listed) throws IOException {
    if (listed.isEmpty() || !listed.get(listed.size() - 1).startsWith(CHECKED)) {
      throw new IOException("its file list is damaged (no checksum line)");
    }
    List<String> lines = listed.subList(0, listed.size() - 1);
    if (!listed.get(listed.size() - 1).equals(CHECKED + checksum(lines))) {
      throw new IOException("its file list is damaged (another checksum)");
    }
    return lines;
  }

  private static String checksum(List<String> lines) {
    CRC32C crc = new CRC32C();
    for (String line : lines) {
      crc.update((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return Long.toHexString(crc.getValue());
  }

  /** {@code relative} under {@code root} (absolute and normalized), refusing a list that would reach out of it. */
  private static Path within(Path root, String relative) throws IOException {
    Path path = root.resolve(relative).normalize();
    if (!path.startsWith(root) || path.equals(root)) {
      throw new IOException("its file list names " + relative + ", outside the cluster");
    }
    return path;
  }

  private static FileAttribute<?>[] attributes(String modes) {
    return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
        modes))} : new FileAttribute<?>[0];
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
