package io.pgvigil.checks.review;

import io.pgvigil.checks.locks.SqlTokens;
import io.pgvigil.checks.locks.SqlTokens.Kind;
import io.pgvigil.checks.locks.SqlTokens.Token;
import io.pgvigil.checks.shadow.SqlScript;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Findings accepted in the migration file: a line comment {@code -- pgvigil:ignore <rule> <reason>} before a statement
 * (anywhere between the previous statement and this one) suppresses that rule's findings on that statement; one before
 * the first statement also covers the findings on the file as a whole. A suppressed finding is still reported, with its
 * reason, and never fails the review. A {@code -- pgvigil:} comment (in any case) that names no known rule, gives no
 * reason or is not {@code ignore} suppresses nothing and is itself an {@code invalid-suppression} finding: a typo must
 * not pass quietly. So is one after code on its line: after a statement's end it would read as that statement's, yet
 * cover the next one. {@code migration-fails} cannot be ignored: the migrations after a failing one are never run on
 * the shadow, so accepting the failure would pass them unreviewed.
 */
final class Suppressions {

  private static final Pattern DIRECTIVE = Pattern.compile("(?i)--\\s*pgvigil:(\\S*)\\s*(.*?)\\s*");
  private static final Pattern IGNORE = Pattern.compile("(\\S+)(?:\\s+(.*\\S))?");

  /** One {@code -- pgvigil:ignore} comment: the statement it is before (1-based), its line, and what it says. */
  private record Ignore(int statement, int line, boolean beforeFirst, Hazard hazard, String reason) {}

  private Suppressions() {}

  /** The review with the findings its file accepts suppressed, and its invalid comments as findings. */
  static MigrationReview apply(PendingMigration migration, MigrationReview review) {
    if (!review.reviewed()) {
      return review;
    }
    List<SqlScript.Part> parts = SqlScript.parse(migration.sql()).parts();
    List<Finding> invalid = new ArrayList<>();
    List<Ignore> ignores = new ArrayList<>();
    int at = 0;
    for (Token token : SqlTokens.of(migration.sql())) {
      Matcher directive = DIRECTIVE.matcher(token.text());
      if (token.kind() == Kind.COMMENT && directive.matches()) {
        int statement = statementAt(parts, at);
        int line = lineOf(migration.sql(), at);
        String problem = afterCode(migration.sql(), at)
            ? "follows code on its line, so it is unclear which statement it means: put it on its own line before the "
                + "statement"
            : parse(directive, statement, line, parts, at, ignores);
        if (problem != null) {
          invalid.add(new Finding(Hazard.INVALID_SUPPRESSION, migration.file(), statement, line, null, null, null,
              "line " + line + ": '" + token.text().strip() + "' " + problem));
        }
      }
      at += token.text().length();
    }
    List<Finding> findings = new ArrayList<>();
    List<Ignore> used = new ArrayList<>();
    for (Finding finding : review.findings()) {
      Optional<Ignore> ignore = ignores.stream().filter(i -> i.hazard() == finding.hazard()
          && (i.statement() == finding.statement() || (finding.statement() == 0 && i.beforeFirst()))).findFirst();
      ignore.ifPresent(used::add);
      findings.add(ignore.map(i -> finding.suppressedBecause(i.reason())).orElse(finding));
    }
    findings.addAll(invalid);
    List<String> notes = new ArrayList<>(review.notes());
    ignores.stream().filter(i -> !used.contains(i)).forEach(i -> notes.add("line " + i.line() + ": pgvigil:ignore "
        + i.hazard().id() + " matches no finding of statement " + i.statement()));
    return new MigrationReview(review.file(), review.reviewed(), review.statements(), findings, notes);
  }

  /** Null when the comment is a valid ignore (added to {@code ignores}), else what is wrong with it. */
  private static String parse(Matcher directive, int statement, int line, List<SqlScript.Part> parts, int at,
      List<Ignore> ignores) {
    if (!directive.group(1).equalsIgnoreCase("ignore")) {
      return "is no pgvigil directive: the only one is pgvigil:ignore <rule> <reason>";
    }
    Matcher ignore = IGNORE.matcher(directive.group(2));
    if (!ignore.matches()) {
      return "names no rule: write pgvigil:ignore <rule> <reason>";
    }
    Optional<Hazard> hazard =
        Arrays.stream(Hazard.values()).filter(h -> h.id().equalsIgnoreCase(ignore.group(1))).findFirst();
    if (hazard.isPresent() && hazard.get() == Hazard.MIGRATION_FAILS) {
      return "cannot ignore migration-fails: the migrations after a failing one are never run on the shadow, so they "
          + "would pass unreviewed";
    }
    if (hazard.isEmpty() || hazard.get() == Hazard.INVALID_SUPPRESSION) {
      return "names no rule that can be ignored ('" + ignore.group(1) + "'); the rules: " + Arrays.stream(
          Hazard.values()).filter(h -> h != Hazard.INVALID_SUPPRESSION && h != Hazard.MIGRATION_FAILS)
          .map(Hazard::id).collect(Collectors.joining(", "));
    }
    if (ignore.group(2) == null) {
      return "gives no reason: say why the finding is accepted, after the rule";
    }
    if (statement == 0) {
      return "comes after the last statement, so it ignores nothing";
    }
    ignores.add(new Ignore(statement, line, at < parts.get(0).offset(), hazard.get(), ignore.group(2)));
    return null;
  }

  /** The statement that holds or follows {@code offset}: 1-based, 0 when none does. */
  private static int statementAt(List<SqlScript.Part> parts, int offset) {
    for (int i = 0; i < parts.size(); i++) {
      if (offset < parts.get(i).offset() + parts.get(i).text().length()) {
        return i + 1;
      }
    }
    return 0;
  }

  /** Whether anything but blanks precedes {@code offset} on its line. */
  private static boolean afterCode(String sql, int offset) {
    int lineStart = sql.lastIndexOf('\n', offset - 1) + 1;
    return !sql.substring(lineStart, offset).isBlank();
  }

  private static int lineOf(String sql, int offset) {
    return 1 + (int) sql.substring(0, offset).chars().filter(c -> c == '\n').count();
  }
}
