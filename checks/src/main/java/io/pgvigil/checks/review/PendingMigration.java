package io.pgvigil.checks.review;

import io.pgvigil.checks.history.MigrationTool;

/**
 * A migration in the repository that the target has not applied yet, in the order the tool
 * would apply it.
 *
 * @param file the path shown to people and written to reports
 * @param sql  the file's text
 * @param tool how it will be applied: Flyway statement by statement, Prisma as one script
 */
public record PendingMigration(String file, String sql, MigrationTool tool) {}
