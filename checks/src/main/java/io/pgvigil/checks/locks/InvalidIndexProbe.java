package io.pgvigil.checks.locks;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlResult;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Lists the invalid indexes of the current database, leaving out those being built right now.
 *
 * <p>A {@code CREATE INDEX CONCURRENTLY} commits its catalog entry as invalid and marks it valid only at the
 * end (manual, CREATE INDEX, "Building Indexes Concurrently"), so an index in the middle of a build is
 * invalid and fine: it is the one {@code pg_stat_progress_create_index.index_relid} names. A
 * {@code REINDEX CONCURRENTLY} reports the index it replaces there, not its transient {@code _ccnew} copy, so
 * invalid indexes of a table it is reindexing are left out too until it finishes.
 */
public final class InvalidIndexProbe {

  private static final String SQL = """
      WITH building AS (
        SELECT index_relid, relid, command
          FROM pg_stat_progress_create_index
         WHERE datname = current_database()
      )
      SELECT n.nspname AS schema_name, t.relname AS table_name, i.relname AS index_name
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = i.relnamespace
       WHERE NOT x.indisvalid
         AND NOT EXISTS (SELECT 1 FROM building b WHERE b.index_relid = x.indexrelid)
         AND NOT EXISTS (SELECT 1 FROM building b
                          WHERE b.command = 'REINDEX CONCURRENTLY' AND b.relid = x.indrelid)
       ORDER BY 1, 2, 3
      """;

  public Future<List<InvalidIndex>> poll(SqlClient client) {
    return client.query(SQL)
        .collecting(Collectors.mapping(row -> new InvalidIndex(row.getString("schema_name"),
            row.getString("table_name"), row.getString("index_name")), Collectors.toUnmodifiableList()))
        .execute()
        .map(SqlResult::value);
  }
}
