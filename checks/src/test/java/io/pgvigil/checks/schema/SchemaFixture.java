package io.pgvigil.checks.schema;

import io.pgvigil.checks.testing.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Databases on the test server, the realistic schema script and snapshots of them. */
final class SchemaFixture implements AutoCloseable {

  private static final String CHUNK = "-- chunk:";

  private final TestPostgres pg;
  private final Vertx vertx = Vertx.vertx();

  SchemaFixture(TestPostgres pg) {
    this.pg = pg;
  }

  /** The script's chunks: the foundation first, then independent ones. */
  static List<String> chunks() {
    try (InputStream in = SchemaFixture.class.getResourceAsStream("realistic-schema.sql")) {
      String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> chunks = new ArrayList<>();
      for (String chunk : script.split(CHUNK)) {
        chunks.add("--" + chunk); // keeps the chunk name a comment
      }
      chunks.remove(0); // the header comment
      return chunks;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The foundation chunk, then the others reversed: an order a different history could have used. */
  static List<String> reorderedChunks() {
    List<String> chunks = chunks();
    List<String> rest = new ArrayList<>(chunks.subList(1, chunks.size()));
    Collections.reverse(rest);
    rest.add(0, chunks.get(0));
    return rest;
  }

  void createDatabase(String name, String template) throws SQLException {
    execute(pg.database(),
        "CREATE DATABASE " + name + (template == null ? " TEMPLATE template0" : " TEMPLATE " + template));
  }

  /** Runs each script on its own, in one session that first runs {@code sessionSetup}. */
  void apply(String database, String sessionSetup, List<String> scripts) throws SQLException {
    try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
      if (sessionSetup != null) {
        statement.execute(sessionSetup);
      }
      for (String script : scripts) {
        statement.execute(script);
      }
    }
  }

  void execute(String database, String... statements) throws SQLException {
    apply(database, null, List.of(statements));
  }

  SchemaSnapshot snapshot(String database, SnapshotOptions options) {
    return snapshot(database, options, Map.of());
  }

  /** A snapshot over a connection with these session settings (connection parameters). */
  SchemaSnapshot snapshot(String database, SnapshotOptions options, Map<String, String> sessionSettings) {
    PgConnectOptions connect = connectOptions(database);
    sessionSettings.forEach(connect::addProperty);
    return snapshot(connect, new CatalogSnapshotter(options), options.parallelism());
  }

  /** A snapshot by this snapshotter, on a new pool of {@code poolSize} connections. */
  SchemaSnapshot snapshot(String database, CatalogSnapshotter snapshotter, int poolSize) {
    return snapshot(connectOptions(database), snapshotter, poolSize);
  }

  private SchemaSnapshot snapshot(PgConnectOptions connect, CatalogSnapshotter snapshotter, int poolSize) {
    Pool pool =
        PgBuilder.pool().with(new PoolOptions().setMaxSize(poolSize)).connectingTo(connect).using(vertx).build();
    return await(snapshotter.snapshot(pool).eventually(pool::close));
  }

  PgConnectOptions connectOptions(String database) {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(pg.host()).setPort(pg.port()).setDatabase(database).setUser(pg.user());
    if (pg.password() != null) {
      connect.setPassword(pg.password());
    }
    return connect;
  }

  List<SchemaFinding> diff(SchemaSnapshot expected, SchemaSnapshot actual) {
    return new SchemaDiff().compare(expected, actual);
  }

  private Connection connect(String database) throws SQLException {
    String url = "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database;
    return DriverManager.getConnection(url, pg.user(), pg.password());
  }

  /** {@code options} that also compare comments. */
  static SnapshotOptions withComments(SnapshotOptions o) {
    return also(o, ComparedKind.COMMENTS);
  }

  /** {@code options} that also compare grants. */
  static SnapshotOptions withGrants(SnapshotOptions o) {
    return also(o, ComparedKind.GRANTS);
  }

  /** {@code options} that also compare {@code kind}. */
  static SnapshotOptions also(SnapshotOptions o, ComparedKind kind) {
    EnumSet<ComparedKind> kinds = EnumSet.of(kind);
    kinds.addAll(o.compared());
    return o.withCompared(kinds);
  }

  /** {@code options} that do not compare {@code kind}. */
  static SnapshotOptions without(SnapshotOptions o, ComparedKind kind) {
    EnumSet<ComparedKind> kinds = EnumSet.allOf(ComparedKind.class);
    kinds.retainAll(o.compared());
    kinds.remove(kind);
    return o.withCompared(kinds);
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
