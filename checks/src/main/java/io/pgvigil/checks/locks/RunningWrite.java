package io.pgvigil.checks.locks;

/**
 * A bulk write running longer than the threshold: UPDATE, DELETE, INSERT … SELECT, MERGE or COPY … FROM
 * (typically an unbatched backfill holding row locks and bloating the table).
 *
 * @param command            e.g. {@code UPDATE}, {@code INSERT … SELECT}
 * @param waitEventType      what it waits on, if anything ({@code Lock}, {@code IO}, …)
 */
public record RunningWrite(int pid, String user, String applicationName, String command, double runtimeSeconds,
    double transactionSeconds, String waitEventType, String waitEvent, String query) {}
