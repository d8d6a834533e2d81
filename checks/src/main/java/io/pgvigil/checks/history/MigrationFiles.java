package io.pgvigil.checks.history;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reading migration files the way both tools expect them: present, readable, UTF-8. */
final class MigrationFiles {

  private MigrationFiles() {}

  /** {@code ./db/migration (/abs/db/migration)}: the configured path and where it resolved. */
  static String describe(Path path) {
    Path absolute = path.toAbsolutePath().normalize();
    return absolute.equals(path) ? path.toString() : path + " (" + absolute + ")";
  }

  /**
   * The message for a history none of whose applied migrations is in the files: not files behind
   * the database but a wrong or empty location (or files not synced yet).
   */
  static String noneApplied(int applied, String historyTable, String latest, String what, List<String> where) {
    return "none of the " + applied + " migration" + (applied == 1 ? "" : "s") + " applied to " + historyTable
        + " (latest " + latest + ") is in the " + what + " " + String.join(", ", where)
        + ": the files are missing or are not this database's migrations; check the "
        + what + " in the target's migrations settings (files behind the database are reported only when "
        + "they are an older part of the applied history)";
  }

  static void requireDirectory(Path directory, String what) throws HistoryException {
    if (!Files.isDirectory(directory)) {
      String problem = Files.exists(directory) ? "is not a directory" : "does not exist";
      throw new HistoryException(what + " " + describe(directory) + " " + problem
          + "; check the path in the target's migrations settings");
    }
  }

  /**
   * The file's bytes, after checking they decode as UTF-8. Decoding is strict: Java's default
   * replaces bad bytes with U+FFFD, which would hide an editor's Latin-1 save until the tool
   * itself rejects or mis-checksums the file.
   */
  static byte[] readUtf8(Path file, String shown) throws HistoryException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (AccessDeniedException e) {
      throw new HistoryException("cannot read migration file " + shown + " (" + file + "): permission denied; "
          + "pgvigil needs read access to every migration file", e);
    } catch (NoSuchFileException e) {
      throw new HistoryException("cannot read migration file " + shown + " (" + file + "): it does not exist "
          + "(a dangling symbolic link?)", e);
    } catch (IOException e) {
      throw new HistoryException("cannot read migration file " + shown + " (" + file + "): " + e.getMessage(), e);
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      int offset = in.position();
      throw new HistoryException("migration file " + shown + " (" + file + ") is not valid UTF-8: byte 0x"
          + String.format("%02X", bytes[offset] & 0xFF) + " at byte offset " + offset
          + " does not decode; save the file as UTF-8");
    }
    return bytes;
  }
}
