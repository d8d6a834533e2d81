package io.pgvigil.checks.review;

import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.locks.Command;
import io.pgvigil.checks.shadow.SqlScript;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tool's transaction decision ({@link TransactionPlan}) means for a migration before
 * and after it runs on the shadow: a refusal, statements that cannot run in a transaction sharing
 * one, and why a statement PostgreSQL refuses in a transaction failed.
 */
final class TransactionFindings {

  /**
   * Commands PostgreSQL refuses inside a transaction block (PreventInTransactionBlock): these,
   * anything {@code ... CONCURRENTLY} but REFRESH, VACUUM, and REINDEX SCHEMA/DATABASE/SYSTEM
   * (manual, REINDEX: "cannot be executed inside a transaction block").
   */
  private static final Set<String> OWN_TRANSACTION = Set.of("CREATE DATABASE", "DROP DATABASE",
      "CREATE TABLESPACE", "DROP TABLESPACE", "ALTER SYSTEM", "REINDEX SCHEMA", "REINDEX DATABASE", "REINDEX SYSTEM");
  /** Crude on purpose: a quoted identifier holding these words would take the statement out of the transaction. */
  private static final Pattern DETACH_CONCURRENTLY =
      Pattern.compile("(?is)\\bDETACH\\s+PARTITION\\s+\\S+\\s+CONCURRENTLY\\b");
  /** Flyway's refusal names the statement's first line: "Offending statement found at line 3: ...". */
  private static final Pattern OFFENDING_LINE = Pattern.compile("at line (\\d+)");
  /** SQLSTATE active_sql_transaction: "... cannot run inside a transaction block". */
  static final String IN_TRANSACTION_BLOCK = "25001";

  private TransactionFindings() {}

  static boolean needsOwnTransaction(Command command) {
    String name = command.name();
    return (name.endsWith(" CONCURRENTLY") && !name.startsWith("REFRESH")) || name.startsWith("VACUUM")
        || OWN_TRANSACTION.contains(name);
  }

  /** Also ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, which the command's name does not tell. */
  static boolean needsOwnTransaction(Command command, String sql) {
    return needsOwnTransaction(command) || (command.name().equals("ALTER TABLE") && DETACH_CONCURRENTLY.matcher(sql)
        .find());
  }

  /** The migration-fails finding of a migration the tool refuses, at the statement it names when we know it. */
  static Finding refused(PendingMigration migration, List<SqlScript.Part> parts) {
    Matcher line = OFFENDING_LINE.matcher(migration.plan().why());
    if (line.find()) {
      int at = Integer.parseInt(line.group(1));
      for (int i = 0; i < parts.size(); i++) {
        if (parts.get(i).line() == at) {
          return new Finding(Hazard.MIGRATION_FAILS, migration.file(), i + 1, at, null, null, null,
              migration.plan().why());
        }
      }
    }
    return new Finding(Hazard.MIGRATION_FAILS, migration.file(), 0, 0, null, null, null, migration.plan().why());
  }

  /**
   * A statement that cannot run in a transaction beside others: Prisma sends the script as one
   * transaction, where PostgreSQL refuses it; Flyway, when it runs the migration without a
   * transaction, leaves the statements before a failing one applied. Nothing when the plan makes
   * the migration fail anyway (refused, or one transaction: the statement fails on the shadow).
   */
  static List<Finding> sharedMigration(PendingMigration migration, List<SqlScript.Part> parts) {
    List<Finding> findings = new ArrayList<>();
    if (parts.size() < 2 || migration.plan() instanceof TransactionPlan.Refused
        || migration.plan() instanceof TransactionPlan.OneTransaction) {
      return findings;
    }
    String others = (parts.size() - 1) + " other statement" + (parts.size() == 2 ? "" : "s");
    for (int i = 0; i < parts.size(); i++) {
      Command command = Command.of(parts.get(i).text());
      if (!needsOwnTransaction(command, parts.get(i).text())) {
        continue;
      }
      boolean prisma = migration.tool() == MigrationTool.PRISMA;
      String message = command.name() + " shares the " + (prisma ? "script" : "migration") + " with " + others + ": "
          + (prisma ? "Prisma sends it as one transaction, where PostgreSQL refuses it"
              : migration.plan() instanceof TransactionPlan.NoTransaction
                  ? "Flyway runs none of them in a transaction, so if one fails the ones before it stay applied"
              : "Flyway refuses to mix it with transactional statements unless mixed is set, and then runs none "
                  + "of them in a transaction");
      findings.add(new Finding(Hazard.CONCURRENTLY_IN_TRANSACTION, migration.file(), i + 1, parts.get(i).line(),
          null, null, null, message));
    }
    return findings;
  }

  /** The server's message, and when the tool put the statement in a transaction PostgreSQL refuses it in, why. */
  static String failure(PendingMigration migration, Command command, String sqlState, String serverMessage) {
    if (migration.plan() instanceof TransactionPlan.OneTransaction one && IN_TRANSACTION_BLOCK.equals(sqlState)) {
      return one.why() + ", where PostgreSQL refuses " + command.name() + ": " + serverMessage
          + ". Give it a migration of its own with a .sql.conf saying executeInTransaction=false";
    }
    return serverMessage;
  }
}
