package io.pgvigil.checks.locks;

/**
 * An index PostgreSQL will not use ({@code NOT pg_index.indisvalid}), typically left by a failed
 * {@code CREATE INDEX CONCURRENTLY} or {@code REINDEX CONCURRENTLY}. It still costs on every write.
 */
public record InvalidIndex(String schema, String table, String index) {}
