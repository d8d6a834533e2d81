package io.pgvigil.checks.locks;

/**
 * A bulk write running longer than the threshold: UPDATE, DELETE, INSERT … SELECT, MERGE or COPY … FROM
 * (typically an unbatched backfill holding row locks and bloating the table).
 *
 * @param pid                its backend
 * @param user               its role
 * @param applicationName    its {@code application_name}
 * @param command            e.g. {@code UPDATE}, {@code INSERT … SELECT}
 * @param runtimeSeconds     since the statement started
 * @param transactionSeconds since its transaction started
 * @param waitEventType      what it waits on, if anything ({@code Lock}, {@code IO}, …)
 * @param waitEvent          e.g. {@code transactionid}, {@code DataFileRead}
 * @param query              the statement, cut (and redacted when asked)
 */
public record RunningWrite(
    int pid,
    String user,
    String applicationName,
    String command,
    double runtimeSeconds,
    double transactionSeconds,
    String waitEventType,
    String waitEvent,
    String query) {}
