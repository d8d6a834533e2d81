package io.pgvigil.checks.schema;

/** Where suggested statements are meant to run. */
public enum FixStyle {
  /**
   * On the live database now, next to its traffic: indexes built and dropped CONCURRENTLY, CHECK and FOREIGN KEY
   * constraints added NOT VALID and validated after, warnings above statements that rewrite a table or lose data.
   */
  LIVE,
  /**
   * In a migration file (Flyway or Prisma), which runs in one transaction: no CONCURRENTLY (it cannot run in a
   * transaction block), each object made the plain way.
   */
  MIGRATION
}
