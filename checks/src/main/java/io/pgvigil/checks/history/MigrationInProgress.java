package io.pgvigil.checks.history;

import java.time.Instant;

/**
 * A migration tool running against the database right now: the history is in flux, so what would
 * otherwise look like pending or failed migrations is not drift.
 *
 * @param pid      the backend holding the tool's advisory lock (for the API; never a metric label).
 *                 Prisma runs its SQL on that backend; Flyway holds the lock on its main
 *                 connection and runs the SQL on a second one (seen with Flyway 13.12)
 * @param since    when its transaction or history row started, if known
 * @param evidence how it was seen: "advisory lock" or "unfinished history row"
 */
public record MigrationInProgress(MigrationTool tool, Integer pid, Instant since, String evidence) {}
