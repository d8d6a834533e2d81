package io.pgvigil.checks.locks;

import io.pgvigil.checks.locks.SqlTokens.Token;

/**
 * Replaces string and numeric literals with {@code ?}, so statement texts shown in the API and in alerts
 * keep their shape ({@code UPDATE orders SET status = ? WHERE id = ?}) but not the data. Comments,
 * identifiers and {@code $n} parameters are kept.
 */
public final class LiteralRedactor {

  private LiteralRedactor() {}

  public static String redact(String sql) {
    if (sql == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(sql.length());
    for (Token token : SqlTokens.of(sql)) {
      out.append(token.literal() ? "?" : token.text());
    }
    return out.toString();
  }
}
