package io.pgvigil.checks.review;

/**
 * How the migration tool will run a pending migration, as the tool itself decides it. The review runs the migration on
 * the shadow the same way, so that what fails at deploy fails there.
 */
public sealed interface TransactionPlan {

  /** Not known (Prisma; a migration built without asking Flyway): the review's own choice. */
  TransactionPlan UNPLANNED = new Unplanned("");

  /** Why the tool runs it so, for people; empty when unplanned. */
  String why();

  /** Every statement in one transaction, committed at the end: a statement PostgreSQL refuses there fails. */
  record OneTransaction(String why) implements TransactionPlan {}

  /** No transaction: each statement commits on its own, and a failure leaves the ones before it applied. */
  record NoTransaction(String why) implements TransactionPlan {}

  record Refused(String why) implements TransactionPlan {}

  /**
   * One transaction, except that a statement PostgreSQL refuses in one runs on its own between
   * two (the review's behaviour before it asked the tool).
   */
  record Unplanned(String why) implements TransactionPlan {}
}
