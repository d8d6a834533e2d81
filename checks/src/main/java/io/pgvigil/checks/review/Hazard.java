package io.pgvigil.checks.review;

/**
 * What the pre-flight review reports: what running a migration does to the live tables. The ids are
 * stable (the outputs' {@code rule}, SARIF's {@code ruleId}, docs): rename none of them; add new ones.
 */
public enum Hazard {
  TABLE_REWRITE("table-rewrite", Level.BLOCK,
      "rewrites a table that already exists, under ACCESS EXCLUSIVE",
      "add a new column, backfill it in batches and switch over in a later migration "
          + "(or change the type in a maintenance window)"),
  INDEX_WITHOUT_CONCURRENTLY("index-without-concurrently", Level.BLOCK,
      "builds an index on a table that already exists without CONCURRENTLY: writes wait for the whole build",
      "CREATE INDEX CONCURRENTLY in a migration of its own (for a key: build the index concurrently, "
          + "then ADD CONSTRAINT ... USING INDEX)"),
  REINDEX_WITHOUT_CONCURRENTLY("reindex-without-concurrently", Level.BLOCK,
      "rebuilds an index of a table that already exists without CONCURRENTLY: writes wait for the whole build, "
          + "and so do the queries that plan against the table",
      "REINDEX ... CONCURRENTLY in a migration of its own, with a .sql.conf saying executeInTransaction=false "
          + "(Flyway does not know REINDEX INDEX/TABLE CONCURRENTLY cannot run in a transaction)"),
  CONSTRAINT_VALIDATES_EXISTING_ROWS("constraint-validates-existing-rows", Level.BLOCK,
      "adds a FOREIGN KEY or CHECK that scans every existing row under a strong lock",
      "ADD CONSTRAINT ... NOT VALID here, then VALIDATE CONSTRAINT in a later migration"),
  SET_NOT_NULL_SCANS("set-not-null-scans", Level.BLOCK,
      "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE (no validated CHECK (col IS NOT NULL) exists)",
      "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL "
          + "(PostgreSQL 12+ skips the scan) and drop the CHECK"),
  ACCESS_EXCLUSIVE_WITHOUT_LOCK_TIMEOUT("access-exclusive-without-lock-timeout", Level.FLAG,
      "takes ACCESS EXCLUSIVE on a table that already exists while lock_timeout is 0",
      "SET lock_timeout = '5s' at the top of the migration and retry it when it times out"),
  DROP_OR_RENAME("drop-or-rename", Level.FLAG,
      "drops or renames a table or column that already exists: the running application may still use it",
      "stop using it in a release first, then drop or rename it in a later migration (expand, then contract)"),
  CONCURRENTLY_IN_TRANSACTION("concurrently-in-transaction", Level.FLAG,
      "a statement that cannot run in a transaction (CREATE INDEX CONCURRENTLY, VACUUM ...) shares "
          + "its migration with other statements",
      "give the statement a migration of its own"),
  MIGRATION_FAILS("migration-fails", Level.BLOCK,
      "the migration fails when run on a copy of the applied history as Flyway or Prisma runs it, or Flyway "
          + "refuses it",
      "fix the statement; the finding says why it fails (the server's or Flyway's message)"),
  TRUNCATE("truncate", Level.BLOCK,
      "TRUNCATE empties a table that already exists under ACCESS EXCLUSIVE (with CASCADE, every table that "
          + "references it too)",
      "if the rows must go, delete them in batches outside the migration (DELETE ... WHERE id IN (SELECT id ... "
          + "LIMIT 1000), a commit per batch); name every table rather than CASCADE"),
  UNBATCHED_BACKFILL("unbatched-backfill", Level.FLAG,
      "UPDATE, DELETE or MERGE of a table that already exists in one statement: every row it touches stays locked "
          + "until its transaction commits, and the WAL it writes at once makes the replicas lag",
      "backfill in batches: a loop of UPDATE ... WHERE id IN (SELECT id ... WHERE <not done> LIMIT 1000) with a "
          + "commit per batch, outside the migration or in one that runs without a transaction"),
  DROP_NOT_NULL("drop-not-null", Level.FLAG,
      "DROP NOT NULL on a column that already exists: the running application may not expect NULLs, and once "
          + "some are written the constraint cannot simply come back",
      "expand, then contract: release readers that handle NULL first, drop the constraint in a later migration"),
  DETACH_PARTITION_WITHOUT_CONCURRENTLY("detach-partition-without-concurrently", Level.FLAG,
      "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table: every query on "
          + "any partition waits for it, and it waits for every query already running",
      "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) in a migration of its own that runs "
          + "without a transaction (Flyway: a .sql.conf saying executeInTransaction=false)"),
  DROP_INDEX_WITHOUT_CONCURRENTLY("drop-index-without-concurrently", Level.FLAG,
      "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table the index belongs to",
      "DROP INDEX CONCURRENTLY in a migration of its own"),
  TRANSACTION_CONTROL("transaction-control", Level.BLOCK,
      "the migration controls transactions itself: a BEGIN never committed, a BEGIN inside a BEGIN (PostgreSQL "
          + "ignores it), or a COMMIT or ROLLBACK in the middle of the transaction the tool runs the migration in",
      "leave the transaction to the tool: remove the migration's own BEGIN and COMMIT, or split it into "
          + "migrations that each do one thing"),
  INVALID_SUPPRESSION("invalid-suppression", Level.BLOCK,
      "a -- pgvigil:ignore comment names no known rule or gives no reason, so it suppresses nothing",
      "write -- pgvigil:ignore <rule> <why the finding is accepted> on a line of its own before the statement");

  private final String id;
  private final Level level;
  private final String summary;
  private final String fix;

  Hazard(String id, Level level, String summary, String fix) {
    this.id = id;
    this.level = level;
    this.summary = summary;
    this.fix = fix;
  }

  public String id() {
    return id;
  }

  public Level level() {
    return level;
  }

  public String summary() {
    return summary;
  }

  public String fix() {
    return fix;
  }
}
