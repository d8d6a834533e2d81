package io.pgvigil.daemon.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A glob on database names, as {@code include} and {@code exclude} of a server-level target take them: {@code *}
 * is any run of characters, {@code ?} one character, everything else matches itself (case-sensitive, as
 * PostgreSQL's names are).
 */
public record DatabasePattern(String glob, Pattern regex) {

  /** Characters other globs give a meaning that this one does not: refused rather than matched literally. */
  private static final String RESERVED = "[]{}";

  public static DatabasePattern of(String glob) {
    return parse(glob).orElseThrow(() -> new IllegalArgumentException(problem(glob).orElse(glob)));
  }

  static Optional<DatabasePattern> parse(String glob) {
    if (problem(glob).isPresent()) {
      return Optional.empty();
    }
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*' || c == '?') {
        if (literal.length() > 0) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Optional.of(new DatabasePattern(glob, Pattern.compile(regex.toString(), Pattern.DOTALL)));
  }

  /** Why the text is not a usable pattern, if it is not. */
  static Optional<String> problem(String glob) {
    if (glob.isBlank()) {
      return Optional.of("is empty; give a database name or a pattern such as app_*");
    }
    for (char c : glob.toCharArray()) {
      if (RESERVED.indexOf(c) >= 0) {
        return Optional.of("'" + glob + "' contains '" + c + "'; only * (any characters) and ? (one character) "
            + "are wildcards, e.g. app_*");
      }
    }
    return Optional.empty();
  }

  public boolean matches(String database) {
    return regex.matcher(database).matches();
  }

  @Override
  public String toString() {
    return glob;
  }
}
