package io.pgvigil.checks.history;

/**
 * The advisory lock keys Flyway and Prisma take while they migrate, and how a bigint key shows in
 * {@code pg_locks}: {@code classid} = high 32 bits, {@code objid} = low 32 bits, {@code objsubid} = 1
 * (PostgreSQL manual, "pg_locks": "A bigint key is displayed with its high-order half in the classid
 * column, its low-order half in the objid column, and objsubid equal to 1").
 */
public final class AdvisoryLockKeys {

  /**
   * Flyway's PostgreSQLAdvisoryLockTemplate: {@code 77431708279161L + table.toString().hashCode()}
   * (0x466C79776179 is "Flyway" in ASCII), where the table prints as Flyway quotes it,
   * {@code "public"."flyway_schema_history"}. Taken with pg_try_advisory_xact_lock, or with
   * pg_try_advisory_lock when postgresql.transactional.lock=false. Checked against Flyway 13.12.
   */
  public static final long FLYWAY_BASE = 77431708279161L;

  /**
   * Every Flyway key lies in [base + Integer.MIN_VALUE, base + Integer.MAX_VALUE], whose high halves
   * are 18027 and 18028: a lock with one of these classids is Flyway's whatever its history table.
   */
  public static final long FLYWAY_CLASSID_MIN = classid(FLYWAY_BASE + Integer.MIN_VALUE);

  public static final long FLYWAY_CLASSID_MAX = classid(FLYWAY_BASE + Integer.MAX_VALUE);

  /** prisma-engines, sql-schema-connector postgres flavour: {@code SELECT pg_advisory_lock(72707369)}. */
  public static final long PRISMA = 72707369L;

  private AdvisoryLockKeys() {}

  /** The key Flyway locks for its history table {@code schema.table}. */
  public static long flyway(String schema, String table) {
    return FLYWAY_BASE + (quote(schema) + "." + quote(table)).hashCode();
  }

  /** {@code pg_locks.classid} of a bigint key. */
  public static long classid(long key) {
    return key >>> 32;
  }

  /** {@code pg_locks.objid} of a bigint key. */
  public static long objid(long key) {
    return key & 0xFFFFFFFFL;
  }

  /** As Flyway's PostgreSQLDatabase.doQuote: double quotes, embedded ones doubled. */
  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
