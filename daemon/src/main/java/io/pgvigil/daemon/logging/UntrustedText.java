package io.pgvigil.daemon.logging;

/**
 * Text from outside (a window label, a request's path) on its way into a log line. Its {@code toString()} escapes line
 * breaks and other control characters, so a label such as {@code "x\n2026-01-01T00:00:00Z WARN abort ..."} cannot forge
 * a second log line or move a terminal's cursor, and cuts it to {@value #MAX_LENGTH} characters. Pass it as a log
 * argument: {@code LOG.info("label {}", UntrustedText.of(label))}.
 */
public record UntrustedText(String raw) {

  public static final int MAX_LENGTH = 200;

  public static UntrustedText of(String raw) {
    return new UntrustedText(raw);
  }

  @Override
  public String toString() {
    if (raw == null) {
      return "null";
    }
    String escaped = escape(raw, true);
    return escaped.length() <= MAX_LENGTH ? escaped : escaped.substring(0, MAX_LENGTH) + "…";
  }

  /**
   * {@code text} with CR as {@code \r}, LF as {@code \n} and every other control character
   * (C0, DEL, C1, the Unicode line and paragraph separators) as {@code \}{@code uXXXX}; tabs
   * become {@code \t} only when {@code escapeTabs} (they do not break a line).
   */
  public static String escape(String text, boolean escapeTabs) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
      if (!control || (c == '\t' && !escapeTabs)) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out == null ? text : out.toString();
  }
}
