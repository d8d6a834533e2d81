package io.pgvigil.checks.replication;

import io.pgvigil.checks.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/** Vert.x pools set up like the daemon's ({@code application_name=pgvigil}, timeouts), and one-line JDBC. */
final class TestPools {

  private TestPools() {}

  static Pool pool(Vertx vertx, TestPostgres pg, String user) {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(pg.host())
        .setPort(pg.port())
        .setDatabase(pg.database())
        .setUser(user)
        .addProperty("application_name", "pgvigil")
        .addProperty("statement_timeout", "2000")
        .addProperty("lock_timeout", "500");
    if (pg.password() != null && user.equals(pg.user())) {
      options.setPassword(pg.password());
    }
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(options).using(vertx).build();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static void execute(TestPostgres pg, String sql) throws SQLException {
    try (Connection connection = pg.connect(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static String query(TestPostgres pg, String sql) throws SQLException {
    try (Connection connection = pg.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  /** As another role on the same server (trust authentication in the embedded fixture). */
  static String queryAs(TestPostgres pg, String user, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(
            "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + pg.database() + "?user=" + user);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }
}
