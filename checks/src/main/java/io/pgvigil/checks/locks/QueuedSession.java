package io.pgvigil.checks.locks;

/**
 * A session waiting in a {@link LockQueue} behind a waiting DDL lock request (see {@link LockQueue}).
 *
 * @param pid             its backend
 * @param user            its role
 * @param applicationName its {@code application_name}
 * @param waitingSeconds  how long it has waited
 * @param mode            the mode it asked for
 * @param relation        the relation it waits for, schema-qualified (null when not of this database): the
 *                        request's own, or another one the requesting transaction holds a lock on (a migration
 *                        that altered {@code hot} and now waits for {@code cold} holds up the readers of
 *                        {@code hot})
 * @param query           its statement, cut (and redacted when asked)
 */
public record QueuedSession(int pid, String user, String applicationName, double waitingSeconds, String mode,
    String relation, String query) {}
