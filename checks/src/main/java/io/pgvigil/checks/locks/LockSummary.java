package io.pgvigil.checks.locks;

/**
 * The numbers the daemon publishes as metrics and compares with its rules. All durations in seconds,
 * measured against the server's clock; 0 when there is nothing to measure.
 *
 * @param rootBlockers                 sessions blocking others while waiting for nothing
 * @param maxQueueDepth                the longest queue behind a waiting DDL lock request
 * @param maxQueueCostSeconds          the costliest queue, in blocked-backend-seconds
 * @param idleInTransactionMaxSeconds  the longest idle-in-transaction session (since {@code state_change})
 */
public record LockSummary(int waitingSessions, int rootBlockers, double maxLockWaitSeconds, int maxQueueDepth,
    double maxQueueCostSeconds, double idleInTransactionMaxSeconds, double ddlMaxSeconds, int longRunningWrites,
    double writeMaxSeconds) {}
