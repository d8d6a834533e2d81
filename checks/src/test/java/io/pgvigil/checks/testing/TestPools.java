package io.pgvigil.checks.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/** Vert.x pools on a test server, set up like the daemon's: {@code application_name=pgvigil}, timeouts. */
public final class TestPools {

  private TestPools() {}

  public static Pool pool(Vertx vertx, TestPostgres pg, String user, String password) {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(pg.host())
        .setPort(pg.port())
        .setDatabase(pg.database())
        .setUser(user)
        .addProperty("application_name", "pgvigil")
        .addProperty("statement_timeout", "2000")
        .addProperty("lock_timeout", "500");
    if (password != null) {
      options.setPassword(password);
    }
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(options).using(vertx).build();
  }

  public static Pool pool(Vertx vertx, TestPostgres pg) {
    return pool(vertx, pg, pg.user(), pg.password());
  }

  public static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
