package io.pgvigil.checks.review;

import io.pgvigil.checks.locks.SqlTokens;
import io.pgvigil.checks.locks.SqlTokens.Kind;
import io.pgvigil.checks.shadow.SqlScript;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A migration's own BEGIN, COMMIT and ROLLBACK, beside the transaction the tool runs it in. The review skips them on
 * the shadow (it runs the migration as the tool does); here they are judged:
 *
 * <ul>
 *   <li>a BEGIN while the file's own BEGIN is open: PostgreSQL only warns ("there is already a transaction in
 *       progress") and ignores it, so the COMMIT meant for it ends the outer one (flag);</li>
 *   <li>in one transaction (Flyway's default, Prisma), a COMMIT or ROLLBACK with statements after it ends the tool's
 *       transaction half way: what comes before is committed (or undone) whatever happens to the rest (block);</li>
 *   <li>without a transaction (Flyway's executeInTransaction=false), a BEGIN never committed leaves everything after
 *       it uncommitted when the tool records the migration as applied (block);</li>
 *   <li>a ROLLBACK after work (in the tool's transaction, or the file's own BEGIN without one) undoes it, yet the
 *       tool records the migration as applied (block);</li>
 *   <li>in one transaction, a COMMIT or ROLLBACK before the first statement ends the tool's transaction, so each
 *       statement after it commits on its own (block).</li>
 * </ul>
 *
 * A single BEGIN ... COMMIT around the whole file is harmless: the review notes it and goes on.
 */
final class TransactionControl {

  private enum Control { OPEN, CLOSE, UNDO, OTHER }

  private TransactionControl() {}

  static List<Finding> findings(PendingMigration migration, List<SqlScript.Part> parts) {
    List<Finding> findings = new ArrayList<>();
    if (migration.plan() instanceof TransactionPlan.Refused) {
      return findings;
    }
    boolean toolTransaction = !(migration.plan() instanceof TransactionPlan.NoTransaction);
    int firstWork = -1;
    int lastWork = -1;
    for (int i = 0; i < parts.size(); i++) {
      if (kind(parts.get(i).text()) == Control.OTHER) {
        firstWork = firstWork < 0 ? i : firstWork;
        lastWork = i;
      }
    }
    int openAt = -1;
    for (int i = 0; i < parts.size(); i++) {
      SqlScript.Part part = parts.get(i);
      switch (kind(part.text())) {
        case OPEN -> {
          if (openAt >= 0) {
            findings.add(new Finding(Hazard.TRANSACTION_CONTROL, migration.file(), i + 1, part.line(), null, null,
                null, "BEGIN inside the transaction statement " + (openAt + 1) + " opened: PostgreSQL ignores it "
                    + "with a warning, so the COMMIT meant for it ends the outer transaction",
                Level.FLAG, null));
          } else {
            openAt = i;
          }
        }
        case CLOSE, UNDO -> {
          boolean undo = kind(part.text()) == Control.UNDO;
          boolean workBefore = firstWork >= 0 && firstWork < i;
          boolean workAfter = i < lastWork;
          String message = null;
          if (toolTransaction && workBefore && workAfter) {
            message = firstWord(part.text()) + " in the middle of the transaction " + tool(migration)
                + " runs the migration in: it " + (undo ? "undoes" : "commits") + " the statements before it "
                + "whatever happens to the statements after it, so a failure there leaves the migration half applied";
          } else if (undo && (toolTransaction ? workBefore : openAt >= 0 && hasWork(parts, openAt, i))) {
            message = firstWord(part.text()) + " undoes the statements before it, yet " + tool(migration)
                + " records the migration as applied";
          } else if (toolTransaction && workAfter) {
            message = firstWord(part.text()) + " before the first statement ends the transaction " + tool(migration)
                + " runs the migration in: the statements after it each commit on their own, so a failure leaves "
                + "the migration half applied";
          }
          if (message != null) {
            findings.add(new Finding(Hazard.TRANSACTION_CONTROL, migration.file(), i + 1, part.line(), null, null,
                null, message));
          }
          openAt = -1;
        }
        default -> {
        }
      }
    }
    if (openAt >= 0 && !toolTransaction) {
      findings.add(new Finding(Hazard.TRANSACTION_CONTROL, migration.file(), openAt + 1,
          parts.get(openAt).line(), null, null, null, "BEGIN is never committed: the migration runs without a "
              + "transaction, so the statements after it (and their locks) stay uncommitted when the tool records "
              + "it as applied, and are rolled back when its connection closes"));
    }
    return findings;
  }

  private static boolean hasWork(List<SqlScript.Part> parts, int after, int before) {
    for (int i = after + 1; i < before; i++) {
      if (kind(parts.get(i).text()) == Control.OTHER) {
        return true;
      }
    }
    return false;
  }

  private static String tool(PendingMigration migration) {
    return migration.tool().label().substring(0, 1).toUpperCase(Locale.ROOT) + migration.tool().label().substring(1);
  }

  private static String firstWord(String sql) {
    return words(sql).get(0);
  }

  /** BEGIN, START TRANSACTION; COMMIT, END; ROLLBACK, ABORT (not ROLLBACK TO a savepoint, not ... PREPARED). */
  private static Control kind(String sql) {
    List<String> words = words(sql);
    String first = words.isEmpty() ? "" : words.get(0);
    String second = words.size() < 2 ? "" : words.get(1);
    return switch (first) {
      case "BEGIN" -> Control.OPEN;
      case "START" -> second.equals("TRANSACTION") ? Control.OPEN : Control.OTHER;
      case "COMMIT", "END" -> second.equals("PREPARED") ? Control.OTHER : Control.CLOSE;
      case "ROLLBACK", "ABORT" -> second.equals("TO") || second.equals("PREPARED") ? Control.OTHER : Control.UNDO;
      default -> Control.OTHER;
    };
  }

  private static List<String> words(String sql) {
    return SqlTokens.of(sql).stream().filter(t -> t.kind() != Kind.SPACE && t.kind() != Kind.COMMENT).limit(2)
        .map(t -> t.text().toUpperCase(Locale.ROOT)).toList();
  }
}
