package io.pgvigil.checks.locks;

/**
 * A session waiting in a {@link LockQueue} behind a waiting DDL lock request (see {@link LockQueue}).
 *
 * @param relation        the relation it waits for, schema-qualified (null when not of this database): the request's
 *                        own, or another one the requesting transaction holds a lock on (a migration that altered
 *                        {@code hot} and now waits for {@code cold} holds up the readers of {@code hot})
 */
public record QueuedSession(int pid, String user, String applicationName, double waitingSeconds, String mode,
    String relation, String query) {}
