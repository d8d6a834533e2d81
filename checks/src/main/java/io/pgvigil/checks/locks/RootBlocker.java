package io.pgvigil.checks.locks;

import java.time.OffsetDateTime;

/**
 * The session at the root of a {@link BlockingTree}: it blocks others and waits for no lock itself
 * (typically an idle-in-transaction session holding a row lock while a migration waits).
 *
 * @param pid                 its backend; 0 for a prepared transaction, which {@code pg_blocking_pids()}
 *                            reports as pid 0 (manual, "System Information Functions")
 * @param transactionSeconds  age of its transaction ({@code xact_start}), 0 when unknown
 * @param stateSeconds        time in its current state ({@code state_change}), e.g. how long it has been idle
 * @param query               its current or last statement, cut (and redacted when asked)
 * @param waiting             true only for a tree built around a cycle (a deadlock PostgreSQL has not yet
 *                            resolved), whose root is itself waiting
 * @param backendStart        its {@code backend_start}, null when not seen: with the pid, what guards a terminate
 */
public record RootBlocker(int pid, String user, String applicationName, String state, String backendType,
    double transactionSeconds, double stateSeconds, String query, boolean waiting, OffsetDateTime backendStart) {}
