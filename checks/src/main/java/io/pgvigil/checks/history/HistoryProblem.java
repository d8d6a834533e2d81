package io.pgvigil.checks.history;

/**
 * One migration that disagrees with the history.
 *
 * @param version     Flyway's version ("1.2"), null for repeatables; Prisma's migration name
 * @param description Flyway's description, or Prisma's migration name
 * @param script      the file, relative to its location; for one that is gone from the repository, the file the
 *                    history names; null when neither has one
 * @param detail      one sentence for people: what differs (checksums, dates, the failed step)
 */
public record HistoryProblem(HistoryProblemKind kind, String version, String description, String script,
    String detail) {}
