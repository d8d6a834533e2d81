package io.pgvigil.checks.locks;

import java.time.OffsetDateTime;

/**
 * The lock a session asked for and has not been granted: its {@code pg_locks} row with {@code NOT granted}.
 *
 * @param locktype  {@code relation}, {@code transactionid}, {@code tuple}, {@code advisory}, …
 * @param relation  the relation as a schema-qualified, quoted-where-needed name ({@code public.orders}),
 *                  or null when the lock is not on a relation of this database
 * @param mode      e.g. {@code AccessExclusiveLock}
 * @param waitStart when the wait began ({@code pg_locks.waitstart}, PostgreSQL 14+); null for a moment
 *                  after the wait starts, see the manual's pg_locks page
 */
public record LockRequest(String locktype, String relation, String mode, OffsetDateTime waitStart) {}
