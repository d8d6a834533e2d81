package io.pgvigil.daemon.discovery;

import io.pgvigil.daemon.config.ServerTargetConfig;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lists the databases of a server-level target's cluster, from {@code pg_database} in the URL's database, on a
 * pool of one connection. What it returns is what the patterns let through, and the home database always.
 */
public final class DatabaseDiscovery {

  /**
   * Templates and databases that refuse connections are never watched. {@code datconnlimit = -2} marks a database
   * an interrupted {@code DROP DATABASE} left invalid (PostgreSQL 16.1, 15.5, 14.10 and later; see the release
   * notes of 2023-11-09): it cannot be connected to either. Nor can a database the role lacks CONNECT on (REVOKE
   * CONNECT … FROM PUBLIC; RDS's rdsadmin): watched, it would only ever be "target down".
   */
  private static final String DATABASES = """
      SELECT datname FROM pg_database
      WHERE NOT datistemplate AND datallowconn AND datconnlimit <> -2
        AND has_database_privilege(datname, 'CONNECT')
      ORDER BY datname
      """;

  /**
   * Databases a session wants to itself: {@code DROP DATABASE}, {@code ALTER DATABASE … RENAME} and {@code … SET
   * TABLESPACE} take this lock, then wait up to 5 s for the other sessions to leave before they fail with "database
   * is being accessed by other users" (dbcommands.c, CountOtherDBBackends). Seen here, pgvigil leaves in time.
   */
  private static final String WANTED = """
      SELECT d.datname FROM pg_locks l JOIN pg_database d ON d.oid = l.objid
      WHERE l.locktype = 'object' AND l.classid = 'pg_database'::regclass
        AND l.mode = 'AccessExclusiveLock' AND l.granted
      """;

  private final ServerTargetConfig server;
  private final Pool pool;
  private final Duration timeout;

  /** Reads the TLS files of the URL (blocking): build it off the event loop. */
  public DatabaseDiscovery(Vertx vertx, ServerTargetConfig server) {
    this.server = server;
    Duration connectTimeout = server.server().connectTimeout();
    Duration statementTimeout = server.server().watch().statementTimeout();
    this.timeout = connectTimeout.plus(statementTimeout);
    this.pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(1).setName("pgvigil-" + server.name() + "-discovery")
            .setConnectionTimeout((int) connectTimeout.toMillis())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
        .with(new NetClientOptions().setConnectTimeout((int) connectTimeout.toMillis()))
        .connectingTo(TargetSpecs.connectOptions(server.server().url(), statementTimeout))
        .using(vertx).build();
  }

  /** The databases to watch now, in name order. */
  public Future<List<String>> databases() {
    return pool.query(DATABASES).mapping((Row row) -> row.getString("datname")).execute()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(rows -> {
          List<String> names = new ArrayList<>();
          rows.forEach(names::add);
          return names.stream().filter(server::watches).toList();
        });
  }

  /** The databases some session is dropping, renaming or moving now. */
  public Future<Set<String>> wanted() {
    return pool.query(WANTED).mapping((Row row) -> row.getString("datname")).execute()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(rows -> {
          Set<String> names = new HashSet<>();
          rows.forEach(names::add);
          return names;
        });
  }

  public Future<Void> close() {
    return pool.close();
  }
}
