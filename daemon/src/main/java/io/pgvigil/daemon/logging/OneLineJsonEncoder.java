package io.pgvigil.daemon.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Logback's {@link JsonEncoder} with the characters it leaves raw escaped as well: DEL, the C1 controls (U+0080 to
 * U+009F) and the Unicode line and paragraph separators. JSON allows them unescaped, but a terminal acts on C1 (CSI
 * moves the cursor as ESC [ does) and JavaScript and some log viewers break lines at U+2028 and U+2029: the same
 * characters {@link UntrustedText#escape} escapes in the text format. They can only stand inside a JSON string (the
 * rest of the object is ASCII), so each is replaced by its {@code \}{@code uXXXX} escape wherever it is, in the
 * encoded UTF-8 bytes.
 */
final class OneLineJsonEncoder extends JsonEncoder {

  @Override
  public byte[] encode(ILoggingEvent event) {
    return escape(super.encode(event));
  }

  static byte[] escape(byte[] utf8) {
    ByteArrayOutputStream out = null;
    int copied = 0;
    for (int i = 0; i < utf8.length; i++) {
      int code = escaped(utf8, i);
      if (code < 0) {
        continue;
      }
      if (out == null) {
        out = new ByteArrayOutputStream(utf8.length + 16);
      }
      out.write(utf8, copied, i - copied);
      out.writeBytes(String.format("\\u%04x", code).getBytes(StandardCharsets.US_ASCII));
      i += code == 0x7f ? 0 : code < 0x100 ? 1 : 2; // the rest of its UTF-8 sequence
      copied = i + 1;
    }
    if (out == null) {
      return utf8;
    }
    out.write(utf8, copied, utf8.length - copied);
    return out.toByteArray();
  }

  /** The code point to escape that starts at {@code i}, or -1. */
  private static int escaped(byte[] utf8, int i) {
    int b = utf8[i] & 0xff;
    if (b == 0x7f) {
      return b;
    }
    if (b == 0xc2 && i + 1 < utf8.length && (utf8[i + 1] & 0xff) >= 0x80 && (utf8[i + 1] & 0xff) <= 0x9f) {
      return utf8[i + 1] & 0xff; // U+0080..U+009F is C2 80..C2 9F
    }
    if (b == 0xe2 && i + 2 < utf8.length && (utf8[i + 1] & 0xff) == 0x80
        && ((utf8[i + 2] & 0xff) == 0xa8 || (utf8[i + 2] & 0xff) == 0xa9)) {
      return 0x2000 + (utf8[i + 2] & 0xff) - 0x80; // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
    }
    return -1;
  }
}
