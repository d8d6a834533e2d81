package io.pgvigil.daemon.drift;

import static io.pgvigil.daemon.watch.Failures.message;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.HistoryReport;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.schema.CatalogSnapshotter;
import io.pgvigil.checks.schema.IgnorePattern;
import io.pgvigil.checks.schema.SchemaDiff;
import io.pgvigil.checks.schema.SchemaSnapshot;
import io.pgvigil.checks.schema.SnapshotOptions;
import io.pgvigil.checks.shadow.ExpectedSchemaCache;
import io.pgvigil.checks.shadow.ExpectedSnapshotStore;
import io.pgvigil.daemon.config.DriftConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.watch.TargetCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift, both halves, every {@code drift.interval}: the migration history against the repository,
 * then the live catalog against the schema that history produces in a shadow. A failure anywhere
 * is an error verdict, never "no drift". While a migration runs, or while the database has applied
 * migrations newer than the files (for a few minutes after each deploy), the previous structural
 * verdict is kept: the schema is in flux, not drifting.
 */
public final class DriftCheck extends TargetCheck {

  public static final String NAME = "drift";
  private static final Logger LOG = LoggerFactory.getLogger(DriftCheck.class);
  static final int LIVE_PARALLELISM = 2;
  /** Replaying a long history into a fresh server takes a while; bounded all the same. */
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private static final String ROLES = "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_'";

  private final String target;
  private final Map<String, String> roleMap;
  private final HistoryDatabase database;
  private final MigrationSource source;
  private final CatalogSnapshotter live;
  private final ExpectedSchemas expected;
  private final Supplier<Optional<DriftReport>> previous;
  private final Consumer<DriftReport> verdicts;
  private final Clock clock;
  private final int connectTimeoutMillis;
  /** Told each phase of a verdict and its time ({@code drift --verbose}); nothing by default. */
  private volatile Consumer<String> phases = line -> {};
  /** Applied migrations newer than the files at the last check; only to log changes. */
  private volatile List<String> behind = List.of();

  /** For a target with migrations; {@code verdicts} receives every verdict, errors included. */
  public DriftCheck(TargetConfig target, ShadowSettings.Storage storage,
      Supplier<Optional<DriftReport>> previous, Consumer<DriftReport> verdicts, Clock clock) {
    this(target, storage, previous, verdicts, clock, null, true);
  }

  /**
   * @param keepOnDisk whether expected schemas are kept in (and read from) {@link ShadowSettings.Storage#driftCache()}
   *                   between runs; false replays every time a run starts ({@code drift --no-cache})
   */
  public DriftCheck(TargetConfig target, ShadowSettings.Storage storage,
      Supplier<Optional<DriftReport>> previous, Consumer<DriftReport> verdicts, Clock clock, boolean keepOnDisk) {
    this(target, storage, previous, verdicts, clock, null, keepOnDisk);
  }

  /**
   * For {@code drift --emit-migration}: both schemas in the repository's role names, the role map turned round and
   * applied to live's instead of the shadow's, because the migration it writes runs wherever the history runs.
   *
   * @param liveToRepository the role map turned round ({@link AdoptionMigration#repositoryRoles})
   * @param keepOnDisk       as for a check ({@code drift --no-cache} says false)
   */
  public static DriftCheck inRepositoryRoleNames(TargetConfig target, ShadowSettings.Storage storage, Clock clock,
      Map<String, String> liveToRepository, boolean keepOnDisk) {
    return new DriftCheck(target, storage, Optional::empty, verdict -> {}, clock, liveToRepository, keepOnDisk);
  }

  private DriftCheck(TargetConfig target, ShadowSettings.Storage storage, Supplier<Optional<DriftReport>> previous,
      Consumer<DriftReport> verdicts, Clock clock, Map<String, String> liveToRepository, boolean keepOnDisk) {
    super(NAME, target.drift()::interval, TIMEOUT);
    this.target = target.name();
    this.roleMap = target.drift().roleMap();
    this.database = HistorySources.database(target.url());
    this.source = target.migrations().orElseThrow();
    this.connectTimeoutMillis = (int) target.connectTimeout().toMillis();
    SnapshotOptions options = snapshotOptions(target.drift(), source.historyTable());
    // On the run's own pool the snapshot splits over at most two connections; the shadow,
    // which nothing else uses, gets the default. Only the shadow's role names are mapped: to live's.
    SnapshotOptions liveOptions = liveToRepository == null ? options : options.withRoleMap(liveToRepository);
    this.live = new CatalogSnapshotter(liveOptions.withParallelism(LIVE_PARALLELISM));
    SnapshotOptions shadow = liveToRepository == null ? options.withRoleMap(target.drift().roleMap()) : options;
    // What the snapshot takes in besides the database: what it compares and maps (the options' content key), what
    // it ignores and leaves out. The ignore patterns matter on disk, where an entry outlives the configuration.
    String variant = shadow.contentKey() + "\0" + target.drift().ignore() + "\0" + source.historyTable();
    this.expected = new ExpectedSchemas(ShadowSettings.of(target.shadow(), storage), new CatalogSnapshotter(shadow),
        variant, new ExpectedSchemaCache<>(1), keepOnDisk ? new ExpectedSnapshotStore(storage.driftCache(),
            ShadowSettings.pgvigilBuild(), ExpectedSnapshotStore.DEFAULT_KEEP, clock) : null);
    this.previous = previous;
    this.verdicts = verdicts;
    this.clock = clock;
  }

  /** What both snapshots take in: {@code drift.compare} and {@code drift.ignore}, without the history table. */
  static SnapshotOptions snapshotOptions(DriftConfig drift, String historyTable) {
    return SnapshotOptions.defaults()
        .withCompared(drift.compare())
        .withIgnored(IgnorePattern.anyOf(drift.ignore()))
        .withExcludedTables(Set.of(historyTable));
  }

  /**
   * A run fails (and is counted) when the verdict is an error. It opens connections of its own for
   * the run and closes them after: the target's shared monitoring connection serves the lock watch
   * every second, and a snapshot of a large catalog takes seconds.
   */
  @Override
  public Future<Void> run(Context context) {
    Pool own = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(LIVE_PARALLELISM).setName("pgvigil-" + target + "-drift"))
        .with(new NetClientOptions().setConnectTimeout(connectTimeoutMillis))
        .connectingTo(context.connect()).using(context.vertx()).build();
    return verdict(context.vertx(), own, false)
        .eventually(() -> own.close().recover(e -> Future.succeededFuture()))
        .compose(report -> report.error().isPresent()
            ? Future.failedFuture(report.error().get()) : Future.succeededFuture());
  }

  /** Tells {@code phases} what each verdict does and how long it takes; returns this. */
  public DriftCheck tellingPhases(Consumer<String> phases) {
    this.phases = phases;
    return this;
  }

  /**
   * The one-shot verdict of {@code drift}, where a second matters: first one query for the tool's lock (while a
   * migration runs, live's catalog is not snapshotted at all: its {@code pg_get_viewdef} takes ACCESS SHARE, which a
   * migration's ALTER would queue behind), then the history read (blocking: JDBC, Flyway) beside live's snapshot and
   * roles (on the pool), then the expected schema and the comparison. Live's snapshot is thrown away when the history
   * says the schema cannot be compared now; it is awaited all the same, so that the caller may close the pool when
   * this completes. Up to four connections at once (Flyway's two, the pool's two).
   */
  public Future<DriftReport> verdict(Vertx vertx, Pool pool) {
    return verdict(vertx, pool, true);
  }

  /**
   * @param beside the history read beside live's snapshot ({@code drift}); else one after the other (the daemon's
   *               periodic check, where nobody waits for it and a target's connections stay at two more)
   */
  private Future<DriftReport> verdict(Vertx vertx, Pool pool, boolean beside) {
    Consumer<String> told = phases;
    long started = System.nanoTime();
    Future<Boolean> quiet = beside ? vertx.executeBlocking(() -> source.running(database).isEmpty(), false)
        : Future.succeededFuture(true);
    // After the probe whatever it found: a failure there is the history read's to report, with its message.
    Future<HistoryReport> history = quiet.transform(ignored -> vertx.executeBlocking(() -> {
      HistoryReport h = source.read(database, clock.instant());
      told.accept("history: " + source.tool().label() + " " + h.historyTable() + " read and checked against the "
          + "files in " + millis(started) + " ms (" + h.applied() + " applied, " + h.problems().size() + " problem"
          + (h.problems().size() == 1 ? "" : "s") + ")");
      return h;
    }, false));
    // One after the other, the history says whether to snapshot: not while a migration runs or the files are behind.
    Future<Boolean> snapshotNow = beside ? quiet
        : history.map(h -> h.inProgress().isEmpty() && !h.filesAreBehind()).otherwise(false);
    Future<SchemaSnapshot> actual = snapshotNow.compose(q -> !q ? Future.failedFuture("not compared now")
        : live.snapshot(pool).onSuccess(a -> told.accept("live schema: " + a.objects().size() + " objects in "
            + a.queries() + " queries, " + millis(started) + " ms")));
    Future<List<String>> roles = snapshotNow.compose(q -> !q ? Future.succeededFuture(List.of()) : roles(pool));
    return Future.join(history, actual, roles).transform(ignored -> {
      if (history.failed()) {
        return Future.succeededFuture(
            DriftReport.failed(target, clock.instant(), Optional.empty(), message(history.cause())));
      }
      HistoryReport h = history.result();
      return structure(vertx, actual, roles, h, told)
          .map(s -> DriftReport.of(target, h, s))
          .recover(e -> Future.succeededFuture(
              DriftReport.failed(target, clock.instant(), Optional.of(h), message(e))));
    }).recover(e -> Future.succeededFuture( // whatever threw on the way: an error verdict, never none
        DriftReport.failed(target, clock.instant(), Optional.empty(), message(e))))
        .onSuccess(verdicts::accept);
  }

  private Future<StructuralReport> structure(Vertx vertx, Future<SchemaSnapshot> live, Future<List<String>> roles,
      HistoryReport h, Consumer<String> told) {
    try {
      return compared(vertx, live, roles, h, told);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<StructuralReport> compared(Vertx vertx, Future<SchemaSnapshot> live, Future<List<String>> roles,
      HistoryReport h, Consumer<String> told) {
    filesBehind(h);
    // The files cannot replay what live has applied: comparing would report the newer
    // migrations' objects as unexpected. Paused until the files catch up.
    if (h.inProgress().isPresent() || h.filesAreBehind()) {
      Optional<StructuralReport> kept = previous.get().flatMap(DriftReport::structure);
      return Future.succeededFuture(kept.map(StructuralReport::asStale).orElse(null));
    }
    return live
        .compose(actual -> roles.compose(names -> expected.of(vertx, target, actual.major(), source, h, names, told))
            .map(exp -> {
              long comparing = System.nanoTime();
              StructuralReport report =
                  new StructuralReport(new SchemaDiff().compare(exp.snapshot(), actual), exp.from(),
                      exp.cached(), actual.objects().size(), clock.instant(), false);
              told.accept("compared in " + millis(comparing) + " ms: " + report.findings().size() + " finding"
                  + (report.findings().size() == 1 ? "" : "s"));
              return report;
            }));
  }

  private static long millis(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  /** The history and both schemas: what it replays to, and live's. For {@code drift --emit-migration}. */
  public record Schemas(HistoryReport history, SchemaSnapshot expected, SchemaSnapshot live) {}

  /**
   * Reads the history and takes both snapshots, as a check does, without comparing them. Fails when the schema cannot
   * be compared now (a migration running, the files behind the database).
   */
  public Future<Schemas> schemas(Vertx vertx, Pool pool) {
    return vertx.executeBlocking(() -> source.read(database, clock.instant()), false).compose(h -> {
      DriftReport report = DriftReport.of(target, h, null);
      if (report.structurePaused().isPresent()) {
        return Future.failedFuture("the schema cannot be compared now: " + report.structurePaused().get());
      }
      return live.snapshot(pool).compose(actual -> roles(pool)
          .compose(roles -> expected.of(vertx, target, actual.major(), source, h, roles))
          .map(exp -> new Schemas(h, exp.snapshot(), actual)));
    });
  }

  /**
   * The live database's roles and the role map's shadow names: an embedded shadow makes them before the replay, so
   * that the history's GRANTs and OWNER TOs run there. pg_roles is readable by every role.
   */
  private Future<List<String>> roles(Pool pool) {
    return pool.query(ROLES).execute().map(rows -> {
      List<String> names = new ArrayList<>(roleMap.keySet());
      rows.forEach(row -> names.add(row.getString(0)));
      return names;
    });
  }

  /** One log line when the files fall behind the database, and one when they catch up. */
  private void filesBehind(HistoryReport h) {
    List<String> now = h.filesBehind();
    if (now.equals(behind)) {
      return;
    }
    if (now.isEmpty()) {
      LOG.info("{}: migration files caught up with the database; structural comparison resumed", target);
    } else {
      LOG.info("{}: migration files are behind the database: {} applied migration(s) not in the files ({});"
          + " structural comparison paused until they catch up", target, now.size(), String.join(", ", now));
    }
    behind = now;
  }
}
