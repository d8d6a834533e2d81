package io.pgvigil.checks.migration;

import java.time.OffsetDateTime;

/**
 * A backend (or, for Liquibase, a lock row) that shows a migration running against the database right now.
 *
 * @param pid          the backend, or null when the evidence names none (Liquibase's lock row)
 * @param backendStart with {@code pid}, what {@link BackendSignals} needs to be sure it signals this
 *                     backend and not one that reused the pid; null with a null pid
 * @param state        {@code pg_stat_activity.state}: only an {@code active} backend can be cancelled
 * @param user         {@code pg_stat_activity.usename}
 * @param evidence     how it was seen, e.g. "advisory lock 77431708279161 held"
 */
public record MigrationBackend(DetectedTool tool, Integer pid, OffsetDateTime backendStart, String state,
    String applicationName, String user, String evidence) {}
