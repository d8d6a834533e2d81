package io.pgvigil.daemon.drift;

import io.pgvigil.checks.embedded.EmbeddedPostgres;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.CatalogSnapshotter;
import io.pgvigil.checks.schema.SchemaSnapshot;
import io.pgvigil.checks.schema.SnapshotOptions;
import io.pgvigil.checks.shadow.ExpectedSchemaCache;
import io.pgvigil.checks.shadow.ExpectedSnapshotStore;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema one target's applied history produces: replayed into a fresh shadow of the live
 * major, snapshotted, and the shadow thrown away. Cached in memory per (target, major, applied history and
 * the bytes of its files, and what the snapshot compares): a periodic check replays only when one of them changed;
 * and on disk ({@link ExpectedSnapshotStore}, when given), so that the next {@code drift} run or daemon start with the
 * same history reads it instead of replaying. Blocking steps (starting a server, Flyway, JDBC, files) run on worker
 * threads.
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
  /** Null: nothing on disk. */
  private final ExpectedSnapshotStore store;
  /** A url shadow's expected schema is keyed by the live major; an embedded one's by the bundled exact version. */
  private final boolean urlShadow;
  /** Why the store's directory was unsafe at the last use ("" when it was not): to warn once per reason. */
  private volatile String storeUnsafe = "";

  ExpectedSchemas(ShadowSettings shadow, CatalogSnapshotter snapshotter, String variant,
      ExpectedSchemaCache<Expected> cache) {
    this(shadow, snapshotter, variant, cache, null);
  }

  ExpectedSchemas(ShadowSettings shadow, CatalogSnapshotter snapshotter, String variant,
      ExpectedSchemaCache<Expected> cache, ExpectedSnapshotStore store) {
    this.store = store;
    this.urlShadow = shadow.admin().isPresent();
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
    return of(vertx, target, major, source, history, roles, line -> {});
  }

  /** @param phases told where the expected schema came from and how long each step took */
  Future<Expected> of(Vertx vertx, String target, int major, MigrationSource source,
      HistoryReport history, List<String> roles, Consumer<String> phases) {
    List<String> applied = history.appliedMigrations();
    long started = System.nanoTime();
    // The roles too: the replay makes them first (the disk key counts only those a file names, which takes a read).
    String withRoles = variant + "\0" + String.join(",", new TreeSet<>(roles));
    return vertx.executeBlocking(() -> ExpectedSchemaCache.Key.of(target, major, source, applied, withRoles),
        false)
        .compose(key -> {
          Expected hit = cache.get(key);
          if (hit != null) {
            phases.accept("expected schema: kept in memory since the last check (" + millis(started) + " ms)");
            return stillUsed(vertx, target).map(new Expected(hit.snapshot(), hit.from(), true));
          }
          return vertx.executeBlocking(() -> stored(major, source, applied, roles), false)
              .compose(found -> {
                if (found.stored().isPresent()) {
                  ExpectedSnapshotStore.Stored stored = found.stored().get();
                  phases.accept("expected schema: read from " + store.directory() + " in " + millis(started)
                      + " ms (" + stored.snapshot().objects().size() + " objects, from a " + stored.from() + ")");
                  LOG.info("expected schema: {} (kept in {})", stored.from(), store.directory());
                  onDisk.put(target, new OnDisk(found.key(), System.nanoTime()));
                  Expected expected = new Expected(stored.snapshot(), stored.from(), true);
                  cache.put(key, expected);
                  return Future.succeededFuture(expected);
                }
                phases.accept("expected schema: not cached (" + millis(started) + " ms to look); replaying the "
                    + DriftText.plural(applied.size(), "applied migration") + " on a shadow ...");
                return build(vertx, major, source, history, roles, phases)
                    .compose(built -> {
                      cache.put(key, built);
                      phases.accept("expected schema: " + built.from());
                      if (found.key() == null) {
                        return Future.succeededFuture(built);
                      }
                      long writing = System.nanoTime();
                      return vertx.executeBlocking(() -> {
                        // Files changed during the replay (a git-sync, a ConfigMap update): what it made may be
                        // neither the old bytes' schema nor the new ones', so it is kept under neither.
                        if (!found.key().equals(diskKey(major, source, applied, roles))) {
                          phases.accept("expected schema: not kept (the files changed during the replay)");
                          return built;
                        }
                        store.write(found.key(), new ExpectedSnapshotStore.Stored(built.snapshot(), built.from()),
                            LOG::warn);
                        onDisk.put(target, new OnDisk(found.key(), System.nanoTime()));
                        phases.accept("expected schema: kept in " + store.directory() + " (" + millis(writing)
                            + " ms)");
                        return built;
                      }, false);
                    });
              });
        });
  }

  /** The entry a target's expected schema was last read from or written to, and when its last use was marked. */
  private record OnDisk(String key, long markedNanos) {}

  private static final long MARK_EVERY_NANOS = TimeUnit.HOURS.toNanos(1);
  private final Map<String, OnDisk> onDisk = new ConcurrentHashMap<>();

  /**
   * A schema a daemon keeps in memory is still in use on disk: its entry's last use is marked (hourly), so that
   * pruning, which keeps the entries used last, does not take it for one nobody needs.
   */
  private Future<Void> stillUsed(Vertx vertx, String target) {
    OnDisk entry = onDisk.get(target);
    long now = System.nanoTime();
    if (store == null || entry == null || now - entry.markedNanos() < MARK_EVERY_NANOS) {
      return Future.succeededFuture();
    }
    onDisk.put(target, new OnDisk(entry.key(), now));
    return vertx.executeBlocking(() -> {
      store.markUsed(entry.key());
      return null;
    }, false);
  }

  /** What the store holds for this history; the key null where there is no usable store. */
  private record Lookup(String key, Optional<ExpectedSnapshotStore.Stored> stored) {}

  private Lookup stored(int major, MigrationSource source, List<String> applied, List<String> roles)
      throws IOException {
    // A url shadow's replay depends on that server (its version, extensions, roles) too: not kept on disk.
    if (store == null || urlShadow || !usable()) {
      return new Lookup(null, Optional.empty());
    }
    String key = diskKey(major, source, applied, roles);
    return new Lookup(key, key == null ? Optional.empty() : store.read(key, LOG::warn));
  }

  /** Null where no bundled server of the major exists (the replay says so). */
  private String diskKey(int major, MigrationSource source, List<String> applied, List<String> roles)
      throws IOException {
    String server;
    try {
      server = "embedded " + EmbeddedPostgres.bundledVersion(major);
    } catch (RuntimeException e) {
      return null;
    }
    return store.key(server, source, applied, variant, roles);
  }

  /** Whether the store's directory is safe to use, checked before each use (a few stat calls); said when it changes. */
  private boolean usable() {
    String unsafe = store.unsafe();
    String before = storeUnsafe;
    if (unsafe != null && !unsafe.equals(before)) {
      LOG.warn("not keeping expected schemas on disk: {}", unsafe);
    }
    storeUnsafe = unsafe == null ? "" : unsafe;
    return unsafe == null;
  }

  private static long millis(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  private Future<Expected> build(Vertx vertx, int major, MigrationSource source,
      HistoryReport history, List<String> roles, Consumer<String> phases) {
    long started = System.nanoTime();
    Consumer<String> progress = line -> {
      LOG.debug(line);
      phases.accept("  " + line);
    };
    return vertx.executeBlocking(
        () -> shadows.replay(major, source, history.appliedMigrations(), roles, progress), false)
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
