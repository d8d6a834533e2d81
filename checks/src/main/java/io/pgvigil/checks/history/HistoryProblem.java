package io.pgvigil.checks.history;

/**
 * One migration that disagrees with the history.
 *
 * @param version     Flyway's version ("1.2"), null for repeatables; Prisma's migration name
 * @param description Flyway's description, or Prisma's migration name
 * @param script      the file, relative to its location; null when it is not in the repository
 * @param detail      one sentence for people: what differs (checksums, dates, the failed step)
 */
public record HistoryProblem(HistoryProblemKind kind, String version, String description, String script,
    String detail) {}
