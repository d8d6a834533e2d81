package io.pgvigil.daemon.drift;

import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.CatalogSnapshotter;
import io.pgvigil.checks.schema.SchemaSnapshot;
import io.pgvigil.checks.schema.SnapshotOptions;
import io.pgvigil.checks.shadow.ExpectedSchemaCache;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema one target's applied history produces: replayed into a fresh shadow of the live
 * major, snapshotted, and the shadow thrown away. Cached per (target, major, applied history and
 * the bytes of its files, and what the snapshot compares): a periodic check replays only when one of them changed. Blocking steps
 * (starting a server, Flyway, JDBC) run on worker threads.
 */
final class ExpectedSchemas {

  private static final Logger LOG = LoggerFactory.getLogger(ExpectedSchemas.class);

  record Expected(SchemaSnapshot snapshot, String from, boolean cached) {}

  private final Shadows shadows;
  private final CatalogSnapshotter snapshotter;
  private final ExpectedSchemaCache<Expected> cache;
  /** What the snapshotter takes in besides the database (compared kinds, role map): part of the cache key. */
  private final String variant;
  /** The shadow server's sslmode and SSL options, the template of every snapshot's options. */
  private final PgConnectOptions tls;

  ExpectedSchemas(ShadowSettings shadow, CatalogSnapshotter snapshotter, String variant,
      ExpectedSchemaCache<Expected> cache) {
    this.shadows = shadow.shadows();
    this.snapshotter = snapshotter;
    this.variant = variant;
    this.cache = cache;
    // Built once: snapshots start on the target's event loop, which also runs the lock polls.
    this.tls = shadow.admin().isEmpty() ? new PgConnectOptions()
        : TargetSpecs.withTls(new PgConnectOptions(), shadow.adminTls(), "shadow.url");
  }

  Future<Expected> of(Vertx vertx, String target, int major, MigrationSource source,
      HistoryReport history) {
    return of(vertx, target, major, source, history, List.of());
  }

  /** @param roles the live database's roles, made (names only) on an embedded shadow before the replay */
  Future<Expected> of(Vertx vertx, String target, int major, MigrationSource source,
      HistoryReport history, List<String> roles) {
    List<String> applied = history.appliedMigrations();
    return vertx.executeBlocking(() -> ExpectedSchemaCache.Key.of(target, major, source, applied, variant),
        false)
        .compose(key -> {
          Expected hit = cache.get(key);
          if (hit != null) {
            return Future.succeededFuture(new Expected(hit.snapshot(), hit.from(), true));
          }
          return build(vertx, major, source, history, roles).onSuccess(built -> cache.put(key, built));
        });
  }

  private Future<Expected> build(Vertx vertx, int major, MigrationSource source,
      HistoryReport history, List<String> roles) {
    long started = System.nanoTime();
    return vertx.executeBlocking(
        () -> shadows.replay(major, source, history.appliedMigrations(), roles, LOG::debug), false)
        .compose(replayed -> snapshot(vertx, replayed.db())
            .eventually(() -> vertx.executeBlocking(() -> {
              replayed.close();
              return null;
            }, false))
            .map(snapshot -> {
              String from = describe(source, history, major, replayed, System.nanoTime() - started);
              LOG.info("expected schema: {}", from);
              return new Expected(snapshot, from, false);
            }));
  }

  private Future<SchemaSnapshot> snapshot(Vertx vertx, ShadowDatabase db) {
    PgConnectOptions options = new PgConnectOptions(tls)
        .setHost(db.host())
        .setPort(db.port())
        .setDatabase(db.database())
        .setUser(db.user())
        .setProperties(Map.of("application_name", "pgvigil"));
    if (db.password() != null) {
      options.setPassword(db.password());
    }
    // As many connections as the snapshotter spreads a snapshot over: the shadow is pgvigil's own.
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(SnapshotOptions.MAX_PARALLELISM))
        .connectingTo(options).using(vertx).build();
    return snapshotter.snapshot(pool).eventually(pool::close);
  }

  /** Says what ran: the replay's own count, so the text and the replay cannot disagree. */
  private static String describe(MigrationSource source, HistoryReport history, int major,
      Shadows.Replayed replayed, long nanos) {
    ShadowDatabase db = replayed.db();
    String upTo = history.head() == null ? "" : " up to " + history.head();
    String applied = "applied " + source.tool().label() + " migration";
    return "replay of " + DriftText.plural(replayed.migrations(), applied) + upTo + " on "
        + (db.database().startsWith("pgvigil_shadow_") ? "a scratch database" : "an embedded")
        + " PostgreSQL " + major + " shadow, in " + nanos / 1_000_000 + " ms";
  }
}
