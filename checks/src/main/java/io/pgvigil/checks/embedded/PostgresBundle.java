package io.pgvigil.checks.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * One bundled PostgreSQL major: zonky's {@code postgres-linux-x86_64.txz} on the classpath, extracted once per version
 * into a cache directory shared by every JVM on the machine.
 */
record PostgresBundle(int major, String version) {

  private static final String RESOURCE_ROOT = "/io/pgvigil/postgres/";
  private static final String VERSIONS = RESOURCE_ROOT + "versions.properties";
  /** Written last, inside the temp directory, before the atomic rename: its presence means complete. */
  private static final String COMPLETE_MARKER = ".pgvigil-complete";

  /** The bundle for a major, or an error naming the majors that are bundled. */
  static PostgresBundle of(int major) {
    Properties versions = versions();
    String version = versions.getProperty(Integer.toString(major));
    if (version == null) {
      throw new IllegalArgumentException("PostgreSQL " + major + " is not bundled; bundled majors: "
          + bundledMajors().stream().map(String::valueOf).collect(Collectors.joining(", ")));
    }
    return new PostgresBundle(major, version);
  }

  static List<Integer> bundledMajors() {
    return versions().stringPropertyNames().stream().map(Integer::valueOf).sorted().toList();
  }

  private static Properties versions() {
    Properties versions = new Properties();
    try (InputStream in = PostgresBundle.class.getResourceAsStream(VERSIONS)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing classpath resource " + VERSIONS + "; is pgvigil-checks built by Maven?");
      }
      versions.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + VERSIONS, e);
    }
    return versions;
  }

  /**
   * The directory holding {@code bin/}, {@code lib/} and {@code share/}, extracting the bundle into {@code
   * cache/<version>} first if no earlier run (of any JVM) has completed that.
   *
   * <p>Concurrent extraction is safe: each extractor writes a private temp directory beside the target and renames it
   * into place atomically; a loser of the race discards its copy.
   */
  Path install(Path cache) throws IOException {
    Path target = cache.resolve(version);
    if (Files.exists(target.resolve(COMPLETE_MARKER))) {
      return target;
    }
    Files.createDirectories(cache);
    Path temp = Files.createTempDirectory(cache, "." + version + "-");
    try {
      // createTempDirectory makes it 0700, and the rename keeps that: binaries unpacked by one user (the
      // image's build) must stay readable by another (the uid a pod runs as).
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
      FileTime newest = extract(temp.toAbsolutePath().normalize()); // compared with normalized entry paths
      Files.setLastModifiedTime(Files.createFile(temp.resolve(COMPLETE_MARKER)), newest);
      Files.setLastModifiedTime(temp, newest);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // Another JVM won the race; its copy is as good as ours.
      } catch (FileSystemException e) {
        if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
          throw e;
        }
      }
    } finally {
      FileTrees.deleteQuietly(temp);
    }
    if (!Files.exists(target.resolve(COMPLETE_MARKER))) {
      throw new IOException(target + " exists but is not a complete PostgreSQL " + version
          + " extraction (no " + COMPLETE_MARKER + "); delete it and retry");
    }
    return target;
  }

  /** Whether {@code cache} holds this version complete, its server executable by this user. */
  boolean installedIn(Path cache) {
    Path target = cache.resolve(version);
    return Files.exists(target.resolve(COMPLETE_MARKER)) && Files.isExecutable(target.resolve("bin/postgres"));
  }

  /**
   * Unpacks the archive with its entries' modification times, so that two unpackings are the same
   * files (an image layer built from them stays cached); returns the newest.
   */
  private FileTime extract(Path into) throws IOException {
    String resource = RESOURCE_ROOT + major + "/postgres-linux-x86_64.txz";
    InputStream raw = PostgresBundle.class.getResourceAsStream(resource);
    if (raw == null) {
      throw new IOException("missing classpath resource " + resource + " (PostgreSQL " + version + " binaries)");
    }
    FileTime newest = FileTime.fromMillis(0);
    Map<Path, FileTime> directories = new LinkedHashMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new XZCompressorInputStream(new BufferedInputStream(raw, 1 << 16)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = into.resolve(entry.getName()).normalize();
        if (!path.startsWith(into)) {
          throw new IOException("refusing tar entry outside the target directory: " + entry.getName());
        }
        FileTime modified = FileTime.from(entry.getModTime().toInstant());
        newest = modified.compareTo(newest) > 0 ? modified : newest;
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          directories.put(path, modified);
          continue;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createLink(path, into.resolve(entry.getLinkName()).normalize());
        } else {
          Files.copy(tar, path);
          Files.setPosixFilePermissions(path, permissions(entry.getMode()));
          Files.setLastModifiedTime(path, modified);
        }
      }
    }
    // Last, deepest first: every file made in a directory moved its time.
    List<Path> deepestFirst = new ArrayList<>(directories.keySet());
    Collections.reverse(deepestFirst);
    for (Path directory : deepestFirst) {
      Files.setLastModifiedTime(directory, directories.get(directory));
    }
    return newest;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ);
    // The constants are declared OWNER_READ (0400) first to OTHERS_EXECUTE (0001) last.
    PosixFilePermission[] bits = PosixFilePermission.values();
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        permissions.add(bits[i]);
      }
    }
    return permissions;
  }
}
