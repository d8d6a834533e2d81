package io.pgvigil.checks.shadow;

import io.pgvigil.checks.locks.SqlTokens;
import io.pgvigil.checks.locks.SqlTokens.Kind;
import io.pgvigil.checks.locks.SqlTokens.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A migration script cut into statements, only to say which statement failed: the replay itself
 * sends the script whole, as Prisma does. Knows PostgreSQL's lexical rules that hide semicolons:
 * quoted strings (E'' escapes too), quoted identifiers, dollar quotes and nested block comments
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html). Not handled: the
 * semicolons inside a {@code BEGIN ATOMIC ... END} function body (PostgreSQL 14+).
 */
public record SqlScript(List<Part> parts) {

  private static final Set<String> TRANSACTION_CONTROL = Set.of("BEGIN", "COMMIT", "END", "ROLLBACK", "START", "ABORT");

  /** One statement: its text from the first significant character, its offset and 1-based line. */
  public record Part(String text, int offset, int line) {}

  public SqlScript {
    parts = List.copyOf(parts);
  }

  /** Whether the script ends or opens transactions itself: then part of it may have been committed. */
  boolean controlsTransactions() {
    // The first word: the letters before anything else.
    return parts.stream().anyMatch(
        part -> TRANSACTION_CONTROL.contains(part.text().split("\\P{L}", 2)[0].toUpperCase(Locale.ROOT)));
  }

  /** The statement that holds {@code offset} (0-based), or the next one after it; null past the end. */
  Part at(int offset) {
    for (Part part : parts) {
      if (offset < part.offset() + part.text().length()) {
        return part;
      }
    }
    return null;
  }

  static int lineOf(String script, int offset) {
    return 1 + (int) script.substring(0, Math.min(offset, script.length())).chars().filter(c -> c == '\n').count();
  }

  public static SqlScript parse(String sql) {
    List<Part> parts = new ArrayList<>();
    int start = -1;
    int at = 0;
    for (Token t : SqlTokens.of(sql)) {
      boolean semicolon = t.kind() == Kind.SYMBOL && t.text().equals(";");
      if (semicolon && start >= 0) {
        parts.add(new Part(sql.substring(start, at + 1), start, lineOf(sql, start)));
        start = -1;
      } else if (start < 0 && !semicolon && t.kind() != Kind.SPACE && t.kind() != Kind.COMMENT) {
        start = at;
      }
      at += t.text().length();
    }
    if (start >= 0) {
      parts.add(new Part(sql.substring(start).stripTrailing(), start, lineOf(sql, start)));
    }
    return new SqlScript(parts);
  }
}
