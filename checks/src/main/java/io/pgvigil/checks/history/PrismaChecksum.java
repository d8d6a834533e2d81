package io.pgvigil.checks.history;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Prisma Migrate's migration checksum: SHA-256 of migration.sql, as lowercase hex.
 *
 * <p>Matching follows prisma-engines' {@code script_matches_checksum}
 * (schema-engine/connectors/schema-connector/src/checksum.rs): a stored checksum also matches
 * the script with its line endings converted (CRLF to LF, LF to CRLF), so a checkout with
 * core.autocrlf is not an edit; and a stored checksum that is not 64 characters long is
 * compared in the old format, each byte as {@code {:x}} without zero padding (prisma-engines
 * issue 1887).
 *
 * <p>pgvigil goes one step further than Prisma: a leading UTF-8 byte order mark added or
 * removed is not a mismatch either (Prisma's {@code migrate dev} would report it as a modified
 * migration), since it changes no SQL.
 */
final class PrismaChecksum {

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final int HEX_LENGTH = 64;

  private PrismaChecksum() {}

  static String of(byte[] script) {
    return HexFormat.of().formatHex(sha256(script));
  }

  static boolean matches(byte[] script, String stored) {
    if (stored == null) {
      return false;
    }
    byte[] withoutBom = stripBom(script);
    Set<String> candidates = new LinkedHashSet<>();
    for (byte[] base : new byte[][] {script, withoutBom, concat(BOM, withoutBom)}) {
      for (byte[] variant : new byte[][] {base, crlfToLf(base), lfToCrlf(base)}) {
        byte[] digest = sha256(variant);
        candidates.add(stored.length() == HEX_LENGTH ? HexFormat.of().formatHex(digest) : oldFormat(digest));
      }
    }
    return candidates.contains(stored);
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

  private static byte[] stripBom(byte[] script) {
    boolean bom = script.length >= 3 && script[0] == BOM[0] && script[1] == BOM[1] && script[2] == BOM[2];
    return bom ? java.util.Arrays.copyOfRange(script, 3, script.length) : script;
  }

  private static byte[] crlfToLf(byte[] script) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(script.length);
    for (int i = 0; i < script.length; i++) {
      if (!(script[i] == '\r' && i + 1 < script.length && script[i + 1] == '\n')) {
        out.write(script[i]);
      }
    }
    return out.toByteArray();
  }

  private static byte[] lfToCrlf(byte[] script) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(script.length + 64);
    for (byte b : script) {
      if (b == '\n') {
        out.write('\r');
      }
      out.write(b);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
