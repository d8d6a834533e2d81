package io.pgvigil.checks.shadow;

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
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (sql.startsWith("--", i)) {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
        continue;
      }
      if (sql.startsWith("/*", i)) {
        i = skipBlockComment(sql, i);
        continue;
      }
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      if (start < 0 && c != ';') {
        start = i;
      }
      if (c == ';') {
        if (start >= 0) {
          parts.add(new Part(sql.substring(start, i + 1), start, lineOf(sql, start)));
          start = -1;
        }
        i++;
      } else if (c == '\'') {
        boolean escapes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
            && (i < 2 || !isIdentifierChar(sql.charAt(i - 2)));
        i = skipQuoted(sql, i, '\'', escapes);
      } else if (c == '"') {
        i = skipQuoted(sql, i, '"', false);
      } else if (c == '$' && (i == 0 || !isIdentifierChar(sql.charAt(i - 1)))) {
        i = skipDollarQuoted(sql, i);
      } else {
        i++;
      }
    }
    if (start >= 0) {
      parts.add(new Part(sql.substring(start).stripTrailing(), start, lineOf(sql, start)));
    }
    return new SqlScript(parts);
  }

  private static int skipBlockComment(String sql, int i) {
    int depth = 0;
    int n = sql.length();
    while (i < n) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  private static int skipQuoted(String sql, int i, char quote, boolean backslashEscapes) {
    int n = sql.length();
    i++;
    while (i < n) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2; // doubled quote
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  private static int skipDollarQuoted(String sql, int i) {
    int n = sql.length();
    int j = i + 1;
    while (j < n && isTagChar(sql.charAt(j)) && !(j == i + 1 && Character.isDigit(sql.charAt(j)))) {
      j++;
    }
    if (j >= n || sql.charAt(j) != '$') {
      return i + 1; // not a dollar quote, e.g. a positional parameter $1
    }
    String tag = sql.substring(i, j + 1);
    int close = sql.indexOf(tag, j + 1);
    return close < 0 ? n : close + tag.length();
  }

  private static boolean isTagChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static boolean isIdentifierChar(char c) {
    return isTagChar(c) || c == '$';
  }

}
