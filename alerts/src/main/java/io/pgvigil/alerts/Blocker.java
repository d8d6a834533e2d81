package io.pgvigil.alerts;

/**
 * One session of the blocker census attached to an alert.
 *
 * @param ageSeconds how long it has been in that state or transaction
 * @param query the query text, or {@code null}: the daemon fills it only when configured to,
 *     because query text may hold customer data
 */
public record Blocker(int pid, String role, String state, long ageSeconds, String query) {}
