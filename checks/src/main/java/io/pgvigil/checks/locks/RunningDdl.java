package io.pgvigil.checks.locks;

/**
 * A DDL statement running now (waiting for its lock counts: that is when it hurts most).
 *
 * @param command            e.g. {@code ALTER TABLE}, {@code CREATE INDEX CONCURRENTLY}
 * @param runtimeSeconds     since the statement started ({@code query_start})
 * @param transactionSeconds since its transaction started ({@code xact_start})
 * @param waitEventType      e.g. {@code Lock}, or null when running
 * @param progress           index build / CLUSTER / VACUUM FULL progress, or null when PostgreSQL reports none
 */
public record RunningDdl(int pid, String user, String applicationName, String command, double runtimeSeconds,
    double transactionSeconds, String waitEventType, String waitEvent, String query, Progress progress) {}
