package io.pgvigil.checks.locks;

import io.pgvigil.checks.locks.SqlTokens.Token;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a running statement is, from its leading keywords (leading whitespace and comments ignored):
 * DDL that takes strong locks, a bulk write (an unbatched backfill), or anything else.
 *
 * @param name the leading keywords normalised, e.g. {@code ALTER TABLE}, {@code CREATE INDEX CONCURRENTLY},
 *             {@code VACUUM FULL}, {@code INSERT … SELECT}, {@code COPY … FROM}, {@code SELECT}
 */
public record Command(Kind kind, String name) {

  public enum Kind { DDL, WRITE, OTHER }

  /** Words between CREATE / DROP and the object type: {@code CREATE OR REPLACE TEMP TABLE} is a CREATE TABLE. */
  private static final Set<String> MODIFIERS = Set.of("OR", "REPLACE", "UNIQUE", "TEMP", "TEMPORARY",
      "UNLOGGED", "GLOBAL", "LOCAL", "RECURSIVE", "TRUSTED", "PROCEDURAL");
  /** Commands that are DDL by their first keyword alone (they take strong locks: manual, "Explicit Locking"). */
  private static final Set<String> PLAIN_DDL = Set.of("CLUSTER", "TRUNCATE", "LOCK", "COMMENT", "GRANT", "REVOKE");

  public static Command of(String sql) {
    return of(SqlTokens.significant(sql));
  }

  private static Command of(List<Token> tokens) {
    if (tokens.isEmpty()) {
      return new Command(Kind.OTHER, "");
    }
    String first = upper(tokens, 0);
    return switch (first) {
      case "ALTER" -> ddl("ALTER " + objectType(tokens, 1));
      case "CREATE", "DROP" -> createOrDrop(tokens, first);
      case "REINDEX" -> reindex(tokens);
      case "VACUUM" -> vacuumFull(tokens) ? ddl("VACUUM FULL") : new Command(Kind.OTHER, "VACUUM");
      case "REFRESH" ->
        ddl("REFRESH MATERIALIZED VIEW" + (upper(tokens, 3).equals("CONCURRENTLY") ? " CONCURRENTLY" : ""));
      case "UPDATE", "DELETE", "MERGE" -> new Command(Kind.WRITE, first);
      case "INSERT" -> atTopLevel(tokens, "SELECT") >= 0 ? new Command(Kind.WRITE, "INSERT … SELECT")
          : new Command(Kind.OTHER, "INSERT");
      case "COPY" -> atTopLevel(tokens, "FROM") >= 0 ? new Command(Kind.WRITE, "COPY … FROM")
          : new Command(Kind.OTHER, "COPY … TO");
      case "WITH" -> withStatement(tokens);
      default -> PLAIN_DDL.contains(first) ? ddl(first) : new Command(Kind.OTHER, first);
    };
  }

  private static Command createOrDrop(List<Token> tokens, String verb) {
    int i = 1;
    while (MODIFIERS.contains(upper(tokens, i))) {
      i++;
    }
    String object = objectType(tokens, i);
    boolean concurrently = upper(tokens, i + object.split(" ").length).equals("CONCURRENTLY");
    return ddl(verb + " " + object + (concurrently ? " CONCURRENTLY" : ""));
  }

  /** {@code REINDEX [(options)] TABLE [CONCURRENTLY] …}; PostgreSQL 14 also takes CONCURRENTLY among the options. */
  private static Command reindex(List<Token> tokens) {
    int i = 1;
    boolean concurrently = false;
    if (tokens.size() > 1 && tokens.get(1).text().equals("(")) {
      int close = closing(tokens, 1);
      concurrently = tokens.subList(1, close).stream().anyMatch(t -> t.is("CONCURRENTLY"));
      i = close + 1;
    }
    concurrently |= upper(tokens, i + 1).equals("CONCURRENTLY");
    return ddl("REINDEX " + upper(tokens, i) + (concurrently ? " CONCURRENTLY" : ""));
  }

  private static Command ddl(String name) {
    return new Command(Kind.DDL, name.strip());
  }

  /** {@code TABLE}, {@code INDEX}, and the two-word types {@code MATERIALIZED VIEW}, {@code FOREIGN TABLE}. */
  private static String objectType(List<Token> tokens, int i) {
    String word = upper(tokens, i);
    if (word.equals("MATERIALIZED") || word.equals("FOREIGN")) {
      return word + " " + upper(tokens, i + 1);
    }
    return word;
  }

  /** {@code VACUUM FULL …} or {@code VACUUM (FULL[, …]) …}; {@code FULL false} / {@code off} / {@code 0} is not. */
  private static boolean vacuumFull(List<Token> tokens) {
    if (upper(tokens, 1).equals("FULL")) {
      return true;
    }
    if (tokens.size() < 2 || !tokens.get(1).text().equals("(")) {
      return false;
    }
    int close = closing(tokens, 1);
    for (int i = 2; i < close; i++) {
      if (tokens.get(i).is("FULL")) {
        String value = upper(tokens, i + 1).replace("'", "");
        return !(value.equals("FALSE") || value.equals("OFF") || value.equals("0"));
      }
    }
    return false;
  }

  /** A data-modifying CTE is what its main statement is: {@code WITH batch AS (…) UPDATE …} is a write. */
  private static Command withStatement(List<Token> tokens) {
    int main = -1;
    for (String keyword : List.of("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE")) {
      int at = atTopLevel(tokens, keyword);
      if (at > 0 && (main < 0 || at < main)) {
        main = at;
      }
    }
    return main < 0 ? new Command(Kind.OTHER, "WITH") : of(tokens.subList(main, tokens.size()));
  }

  /** Index of the first {@code keyword} outside parentheses, or -1. */
  private static int atTopLevel(List<Token> tokens, String keyword) {
    int depth = 0;
    for (int i = 1; i < tokens.size(); i++) {
      String text = tokens.get(i).text();
      if (text.equals("(")) {
        depth++;
      } else if (text.equals(")")) {
        depth--;
      } else if (depth == 0 && tokens.get(i).is(keyword)) {
        return i;
      }
    }
    return -1;
  }

  /** Index of the parenthesis closing the one at {@code open}, or the end. */
  private static int closing(List<Token> tokens, int open) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      String text = tokens.get(i).text();
      if (text.equals("(")) {
        depth++;
      } else if (text.equals(")") && --depth == 0) {
        return i;
      }
    }
    return tokens.size();
  }

  private static String upper(List<Token> tokens, int i) {
    if (i >= tokens.size() || tokens.get(i).kind() != SqlTokens.Kind.WORD) {
      return i < tokens.size() ? tokens.get(i).text() : "";
    }
    return tokens.get(i).text().toUpperCase(Locale.ROOT);
  }
}
