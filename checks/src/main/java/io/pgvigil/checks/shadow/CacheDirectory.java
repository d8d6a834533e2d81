package io.pgvigil.checks.shadow;

import io.pgvigil.checks.history.MigrationSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * What the caches of replayed histories share: whether their directory may be trusted, and their keys. What a cache
 * holds decides what pgvigil believes the history produces (and, for shadows, what PostgreSQL started by pgvigil
 * runs), so another local user who may write there could hide drift or plant commands.
 */
final class CacheDirectory {

  private CacheDirectory() {}

  /**
   * Null when {@code directory} may hold a cache: ours, and writable by nobody else (created 0700 when absent); else
   * why not. Where the file system has no POSIX owners and modes, this is not checked.
   */
  static String unsafe(Path directory) {
    try {
      if (Files.getFileAttributeView(directory.toAbsolutePath().getParent(), PosixFileAttributeView.class) == null) {
        Files.createDirectories(directory);
        return null; // no POSIX owners and modes here
      }
      if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(directory.toAbsolutePath().getParent());
        try {
          Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
              "rwx------")));
        } catch (FileAlreadyExistsException e) {
          // another run made it first: checked below like any other
        }
      }
      PosixFileAttributes attributes =
          Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isDirectory()) {
        return directory + " is not a directory (a link?)";
      }
      UserPrincipal us = currentUser();
      if (!attributes.owner().equals(us)) {
        return directory + " belongs to " + attributes.owner().getName() + ", not to " + us.getName();
      }
      Set<PosixFilePermission> modes = attributes.permissions();
      if (modes.contains(PosixFilePermission.GROUP_WRITE) || modes.contains(PosixFilePermission.OTHERS_WRITE)) {
        return directory + " may be written by others (" + PosixFilePermissions.toString(modes)
            + "): chmod 700 it";
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "cannot check " + directory + ": " + e;
    }
  }

  private static volatile UserPrincipal currentUser;

  /** The owner of a file we create: the JDK has no portable "current user". */
  static UserPrincipal currentUser() throws IOException {
    UserPrincipal known = currentUser;
    if (known != null) {
      return known;
    }
    Path probe = Files.createTempFile("pgvigil-owner-", ".tmp");
    try {
      currentUser = Files.getOwner(probe);
      return currentUser;
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  /**
   * A SHA-256 over {@code parts} (each ended by a NUL), then what any replay of {@code applied} depends on: the tool
   * and its settings, the applied history in order, and the bytes of the files a replay runs.
   */
  static String key(List<String> parts, MigrationSource source, List<String> applied)
      throws IOException {
    String files = ExpectedSchemaCache.Key.of("", 0, source, applied).sha256();
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    String settings = source instanceof MigrationSource.Flyway f
        ? f.table() + "\0" + f.schemas() + "\0" + f.mixed() : "";
    List<String> all = new ArrayList<>(parts);
    all.addAll(List.of(source.tool().label(), settings, String.join("\n", applied), files));
    for (String part : all) {
      digest.update(part.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
