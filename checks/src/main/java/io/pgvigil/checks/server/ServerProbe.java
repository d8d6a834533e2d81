package io.pgvigil.checks.server;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

/**
 * The heartbeat: one cheap query that proves the server answers and tells its version, whether it is a standby and
 * whether pgvigil's role can see other sessions ({@code pg_monitor}).
 */
public final class ServerProbe {

  private static final String SQL = """
      SELECT current_setting('server_version_num')::int AS version_num,
             current_setting('server_version')          AS version,
             pg_is_in_recovery()                         AS in_recovery,
             pg_postmaster_start_time()                  AS started_at,
             current_user::text                          AS role,
             pg_has_role(current_user, 'pg_monitor', 'MEMBER') AS pg_monitor
      """;

  public Future<ServerInfo> probe(SqlClient client) {
    return client.query(SQL).mapping(ServerProbe::toServerInfo).execute().map(rows -> rows.iterator().next());
  }

  private static ServerInfo toServerInfo(Row row) {
    return new ServerInfo(row.getInteger("version_num"), row.getString("version"), row.getBoolean("in_recovery"),
        row.getOffsetDateTime("started_at"), row.getString("role"), row.getBoolean("pg_monitor"));
  }
}
