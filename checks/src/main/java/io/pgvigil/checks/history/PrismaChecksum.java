package io.pgvigil.checks.history;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Prisma Migrate's migration checksum: SHA-256 of migration.sql, as lowercase hex. Matching follows
 * prisma-engines' {@code script_matches_checksum} (schema-connector/src/checksum.rs): the script
 * with its line endings converted (CRLF to LF, LF to CRLF) matches too, so a core.autocrlf checkout
 * is not an edit; a stored checksum not 64 characters long is in the old format, each byte as
 * {@code {:x}} without zero padding (prisma-engines issue 1887). Beyond Prisma (whose
 * {@code migrate dev} would call it modified), a leading byte order mark added or removed is not a
 * mismatch either: it changes no SQL.
 */
final class PrismaChecksum {

  private static final String BOM = "\uFEFF";
  private static final int HEX_LENGTH = 64;

  private PrismaChecksum() {}

  static String of(byte[] script) {
    return HexFormat.of().formatHex(sha256(script));
  }

  /** {@code script} is valid UTF-8 ({@link MigrationFiles#readUtf8}), so editing it as text is exact. */
  static boolean matches(byte[] script, String stored) {
    if (stored == null) {
      return false;
    }
    String text = new String(script, UTF_8);
    String withoutBom = text.startsWith(BOM) ? text.substring(1) : text;
    for (String base : List.of(text, withoutBom, BOM + withoutBom)) {
      for (String variant : List.of(base, base.replace("\r\n", "\n"), base.replace("\n", "\r\n"))) {
        byte[] digest = sha256(variant.getBytes(UTF_8));
        if (stored.equals(stored.length() == HEX_LENGTH ? HexFormat.of().formatHex(digest) : oldFormat(digest))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Rust's {@code format!("{:x}", byte)} per byte: no zero padding. */
  static String oldFormat(byte[] digest) {
    StringBuilder hex = new StringBuilder();
    for (byte b : digest) {
      hex.append(Integer.toHexString(b & 0xFF));
    }
    return hex.toString();
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
