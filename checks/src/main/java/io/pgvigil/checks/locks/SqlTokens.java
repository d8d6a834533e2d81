package io.pgvigil.checks.locks;

import java.util.ArrayList;
import java.util.List;

/**
 * A small SQL lexer, just enough to classify a statement and to redact its literals: it knows whitespace, {@code --}
 * and nested {@code /* *}{@code /} comments, {@code '…'} strings (with {@code ''}, and {@code E'…'} backslash escapes),
 * dollar quotes ({@code $tag$…$tag$}), quoted identifiers, numbers and {@code $n} parameters (lexical rules: manual,
 * "SQL Syntax → Lexical Structure"). Unterminated tokens run to the end: statement texts are cut to 200 characters.
 */
public final class SqlTokens {

  public enum Kind { SPACE, COMMENT, WORD, QUOTED_IDENTIFIER, STRING, NUMBER, PARAMETER, SYMBOL }

  public record Token(Kind kind, String text) {

    boolean literal() {
      return kind == Kind.STRING || kind == Kind.NUMBER;
    }

    boolean is(String keyword) {
      return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }
  }

  private final String sql;
  private int at;

  private SqlTokens(String sql) {
    this.sql = sql;
  }

  public static List<Token> of(String sql) {
    List<Token> tokens = new ArrayList<>();
    if (sql == null) {
      return tokens;
    }
    SqlTokens lexer = new SqlTokens(sql);
    while (lexer.at < sql.length()) {
      tokens.add(lexer.next());
    }
    return tokens;
  }

  /** The tokens that carry meaning: no whitespace, no comments. */
  static List<Token> significant(String sql) {
    return of(sql).stream().filter(t -> t.kind() != Kind.SPACE && t.kind() != Kind.COMMENT).toList();
  }

  private Token next() {
    int start = at;
    char c = sql.charAt(at);
    Kind kind;
    if (Character.isWhitespace(c)) {
      while (at < sql.length() && Character.isWhitespace(sql.charAt(at))) {
        at++;
      }
      kind = Kind.SPACE;
    } else if (sql.startsWith("--", at)) {
      int newline = sql.indexOf('\n', at);
      at = newline < 0 ? sql.length() : newline;
      kind = Kind.COMMENT;
    } else if (sql.startsWith("/*", at)) {
      blockComment();
      kind = Kind.COMMENT;
    } else if (c == '\'') {
      quoted('\'', false);
      kind = Kind.STRING;
    } else if (c == '"') {
      quoted('"', false);
      kind = Kind.QUOTED_IDENTIFIER;
    } else if (c == '$' && at + 1 < sql.length() && Character.isDigit(sql.charAt(at + 1))) {
      at++;
      while (at < sql.length() && Character.isDigit(sql.charAt(at))) {
        at++;
      }
      kind = Kind.PARAMETER;
    } else if (c == '$' && dollarQuote()) {
      kind = Kind.STRING;
    } else if (Character.isDigit(c) || (c == '.' && at + 1 < sql.length() && Character.isDigit(sql.charAt(at + 1)))) {
      number();
      kind = Kind.NUMBER;
    } else if (Character.isLetter(c) || c == '_') {
      if (stringPrefix()) {
        kind = Kind.STRING;
      } else {
        while (at < sql.length() && identifierPart(sql.charAt(at))) {
          at++;
        }
        kind = Kind.WORD;
      }
    } else {
      at++;
      kind = Kind.SYMBOL;
    }
    return new Token(kind, sql.substring(start, at));
  }

  private void blockComment() {
    int depth = 0;
    while (at < sql.length()) {
      if (sql.startsWith("/*", at)) {
        depth++;
        at += 2;
      } else if (sql.startsWith("*/", at)) {
        depth--;
        at += 2;
        if (depth == 0) {
          return;
        }
      } else {
        at++;
      }
    }
  }

  /** From the opening quote at {@code at} past the closing one; a doubled quote is part of the text. */
  private void quoted(char quote, boolean backslashEscapes) {
    at++;
    while (at < sql.length()) {
      char c = sql.charAt(at);
      if (backslashEscapes && c == '\\') {
        at += 2;
      } else if (c == quote && at + 1 < sql.length() && sql.charAt(at + 1) == quote) {
        at += 2;
      } else if (c == quote) {
        at++;
        return;
      } else {
        at++;
      }
    }
    at = Math.min(at, sql.length());
  }

  /** {@code E'…'}, {@code B'…'}, {@code X'…'}, {@code N'…'}, {@code U&'…'}: a prefixed string literal. */
  private boolean stringPrefix() {
    char c = Character.toUpperCase(sql.charAt(at));
    if ("EBXN".indexOf(c) >= 0 && at + 1 < sql.length() && sql.charAt(at + 1) == '\'') {
      at++;
      quoted('\'', c == 'E');
      return true;
    }
    if (c == 'U' && sql.startsWith("&'", at + 1)) {
      at += 2;
      quoted('\'', false);
      return true;
    }
    return false;
  }

  /** {@code $tag$ … $tag$} (the tag may be empty); false, consuming nothing, when {@code $} opens no quote. */
  private boolean dollarQuote() {
    int close = at + 1;
    while (close < sql.length() && identifierPart(sql.charAt(close)) && sql.charAt(close) != '$') {
      close++;
    }
    if (close >= sql.length() || sql.charAt(close) != '$') {
      return false;
    }
    String tag = sql.substring(at, close + 1);
    int end = sql.indexOf(tag, close + 1);
    at = end < 0 ? sql.length() : end + tag.length();
    return true;
  }

  private void number() {
    int start = at;
    while (at < sql.length()) {
      char c = sql.charAt(at);
      boolean hex = sql.regionMatches(true, start, "0x", 0, 2);
      boolean exponentSign = (c == '+' || c == '-') && !hex && "eE".indexOf(sql.charAt(at - 1)) >= 0;
      if (Character.isLetterOrDigit(c) || c == '.' || c == '_' || exponentSign) {
        at++;
      } else {
        return;
      }
    }
  }

  private static boolean identifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
