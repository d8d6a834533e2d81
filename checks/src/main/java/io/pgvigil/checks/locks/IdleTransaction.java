package io.pgvigil.checks.locks;

/**
 * A session idle inside an open transaction: it holds its locks and its snapshot while doing nothing.
 *
 * @param idleSeconds        since it went idle ({@code state_change})
 * @param transactionSeconds since its transaction started ({@code xact_start})
 * @param blocking           whether some waiting session names it in {@code pg_blocking_pids()}
 */
public record IdleTransaction(int pid, String user, String applicationName, double idleSeconds,
    double transactionSeconds, boolean blocking, String query) {}
