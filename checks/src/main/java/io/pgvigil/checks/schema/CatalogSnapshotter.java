package io.pgvigil.checks.schema;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.regex.Pattern;

/**
 * Takes a {@link SchemaSnapshot} of the database a connection is on: a dozen batched {@code pg_catalog} queries (never
 * {@code information_schema}) in one read-only, repeatable-read transaction, so all of them see the same catalog even
 * while a migration runs. Compare it ({@link SchemaDiff#compare}) with a snapshot of the shadow on the same major.
 *
 * <p>{@code search_path} is {@code ''} for the transaction, so every deparsed expression is schema-qualified whatever
 * the session's search_path ("pg_get_expr ... qualifies names as needed",
 * https://www.postgresql.org/docs/current/functions-info.html).
 *
 * <p>Left out, each with what it owns: system and temporary schemas, extension members (the extension's version is
 * compared instead), the {@link SnapshotOptions#excludedTables() excluded tables}, what the {@link
 * SnapshotOptions#ignored() ignore predicate} matches, and the schema {@code pgvigil}, where pgvigil keeps its own
 * objects, so that it never reports itself.
 *
 * <p>Locks: {@code pg_get_viewdef} (and {@code pg_get_functiondef} of a {@code BEGIN ATOMIC} body) take ACCESS SHARE on
 * the relations referred to, so behind a migration's ACCESS EXCLUSIVE lock the snapshot waits, up to {@code
 * statement_timeout}. Take snapshots between migrations.
 *
 * <p>Parallel: on a {@link Pool} the areas run on up to {@link SnapshotOptions#parallelism()} connections, each in a
 * transaction that imports the first one's snapshot ({@code pg_export_snapshot}, then {@code SET TRANSACTION SNAPSHOT}:
 * "Such transactions will see the same data as the exporting transaction",
 * https://www.postgresql.org/docs/current/sql-set-transaction.html), so the server's deparsing runs in one backend per
 * connection, on as many cores.
 */
public final class CatalogSnapshotter {

  private static final String BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  // set_config(..., true) is SET LOCAL with a bound value. The settings that change how constants are deparsed
  // (TimeZone, DateStyle, IntervalStyle, extra_float_digits, bytea_output) are pinned so the session's, role's or
  // driver's choices never show as drift (manual, "Client Connection Defaults"). Every connection of a parallel
  // snapshot runs it: settings are per session.
  private static final String SETTINGS = """
      SELECT set_config('search_path', '', true),
             set_config('statement_timeout', $1, true),
             set_config('TimeZone', 'UTC', true),
             set_config('DateStyle', 'ISO, YMD', true),
             set_config('IntervalStyle', 'postgres', true),
             set_config('extra_float_digits', '1', true),
             set_config('bytea_output', 'hex', true),
             current_setting('server_version_num')::int AS version_num""";
  // The first connection of a parallel snapshot exports its snapshot in the same query: the transaction's snapshot is
  // taken by its first statement, and that is this one
  // (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-SNAPSHOT-SYNCHRONIZATION).
  private static final String SETTINGS_AND_EXPORT = SETTINGS + ",\n       pg_export_snapshot() AS snapshot_id";
  // SET TRANSACTION SNAPSHOT takes a literal, not a parameter; the id is the server's own, checked against its format
  // (hex numbers and dashes) before it goes into the statement.
  private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+");
  private static final Pattern CARRIAGE_RETURN = Pattern.compile("\r\n?");

  /**
   * The areas a parallel snapshot hands out, most expensive first, so the three heavy ones (server time in pg_get_expr
   * and format_type, pg_get_indexdef, pg_get_constraintdef) land on different connections and the light ones fill in
   * behind them.
   */
  private static final List<CatalogArea> BY_COST = List.of(CatalogArea.COLUMNS, CatalogArea.INDEXES,
      CatalogArea.CONSTRAINTS, CatalogArea.RELATIONS, CatalogArea.ROUTINES, CatalogArea.TYPES, CatalogArea.TRIGGERS,
      CatalogArea.GRANTS, CatalogArea.OWNERS, CatalogArea.COMMENTS, CatalogArea.DEFAULT_PRIVILEGES,
      CatalogArea.STATISTICS, CatalogArea.POLICIES, CatalogArea.SCHEMAS, CatalogArea.EXTENSIONS);

  private final SnapshotOptions options;
  private final boolean helpersFirst;

  public CatalogSnapshotter(SnapshotOptions options) {
    this(options, false);
  }

  /**
   * For tests: with {@code helpersFirst}, no area starts before every extra connection has imported the snapshot, so
   * all of them take part however fast the areas are. Only for a pool that can lend them all: otherwise the snapshot
   * waits for connections that never come.
   */
  CatalogSnapshotter(SnapshotOptions options, boolean helpersFirst) {
    this.options = options;
    this.helpersFirst = helpersFirst;
  }

  /**
   * Takes the snapshot on connections of the pool, returned to it afterwards: one, and up to {@link
   * SnapshotOptions#parallelism()} − 1 more as the pool lends them while areas are left. The snapshot never waits for
   * the extra ones, so a pool of max size 1 (or one busy with other work) gives a correct snapshot on one connection,
   * only not a faster one.
   */
  public Future<SchemaSnapshot> snapshot(Pool pool) {
    return pool.withConnection(
        connection -> new Run(connection, pool, options.parallelism()).take());
  }

  /** One snapshot: its connections share the queue of areas left and the counters. */
  private final class Run {

    private final SqlConnection first;
    private final Pool pool;
    private final int parallelism;
    private final AtomicInteger queries = new AtomicInteger();
    private final Queue<CatalogArea> pending = new ConcurrentLinkedQueue<>();
    // Per area (by ordinal), its objects once mapped; set when the area's query is sent.
    private final AtomicReferenceArray<Future<List<CatalogObject>>> mapped =
        new AtomicReferenceArray<>(CatalogArea.values().length);
    private final Tuple settingsArguments = Tuple.of(options.statementTimeout().toMillis() + "ms");
    private final Tuple roleMapArgument =
        Tuple.of(new JsonObject(new TreeMap<String, Object>(options.roleMap())).encode());
    // Guarded by this: the extra connections that imported the snapshot, and whether more may.
    private final List<Future<Void>> helpers = new ArrayList<>();
    private boolean closed;
    private volatile boolean failed;
    // With helpersFirst: completed once every extra connection imported the snapshot (or failed to).
    private final Promise<Void> helpersReady = Promise.promise();
    private final AtomicInteger helpersAwaited = new AtomicInteger();

    Run(SqlConnection first, Pool pool, int parallelism) {
      this.first = first;
      this.pool = pool;
      this.parallelism = parallelism;
    }

    Future<SchemaSnapshot> take() {
      queries.incrementAndGet();
      Future<RowSet<Row>> begun = first.query(BEGIN).execute();
      return begun.compose(ok -> {
        queries.incrementAndGet();
        return first.preparedQuery(parallelism > 1 ? SETTINGS_AND_EXPORT : SETTINGS).execute(settingsArguments);
      }).compose(settings -> {
        Row row = settings.iterator().next();
        int versionNum = row.getInteger("version_num");
        if (versionNum < CatalogArea.MIN_VERSION_NUM) {
          return Future
              .failedFuture(new IllegalStateException("schema drift needs PostgreSQL 14 or later, the server runs "
                  + versionNum / 10_000));
        }
        for (CatalogArea area : BY_COST) {
          if (area.enabled(options)) {
            pending.add(area);
          }
        }
        if (parallelism == 1) {
          return pipelineAll().map(versionNum);
        }
        String snapshotId = row.getString("snapshot_id");
        if (!SNAPSHOT_ID.matcher(snapshotId).matches()) {
          return Future.failedFuture(new IllegalStateException("unexpected snapshot id " + snapshotId));
        }
        helpersAwaited.set(parallelism - 1);
        for (int i = 1; i < parallelism; i++) {
          lendHelper(snapshotId);
        }
        Future<Void> start = helpersFirst ? helpersReady.future() : Future.succeededFuture();
        // The exporting transaction stays open until every connection that imported its snapshot is done: an import
        // needs the exporter still running (https://www.postgresql.org/docs/current/sql-set-transaction.html).
        return start.compose(started -> drain(first))
            .transform(drained -> closeHelpers().transform(joined -> drained.failed()
                ? Future.<Integer>failedFuture(drained.cause()) : Future.succeededFuture(versionNum)));
      }).compose(versionNum -> {
        queries.incrementAndGet();
        return first.query("COMMIT").execute().map(versionNum);
      }, failure -> first.query("ROLLBACK").execute()
          .<Integer>transform(rolledBack -> Future.failedFuture(failure)))
          .compose(this::assemble);
    }

    /** One connection: every area sent at once, pipelined inside the one transaction. */
    private Future<Void> pipelineAll() {
      List<Future<RowSet<Row>>> sent = new ArrayList<>();
      CatalogArea area;
      while ((area = pending.poll()) != null) {
        sent.add(send(first, area));
      }
      return Future.all(sent).mapEmpty();
    }

    private Future<Void> drain(SqlConnection connection) {
      CatalogArea area = failed ? null : pending.poll();
      if (area == null) {
        return Future.succeededFuture();
      }
      return send(connection, area).compose(rows -> drain(connection));
    }

    private Future<RowSet<Row>> send(SqlConnection connection, CatalogArea area) {
      queries.incrementAndGet();
      Future<RowSet<Row>> sent = area.namesRoles() ? connection.preparedQuery(area.sql()).execute(roleMapArgument)
          : connection.query(area.sql()).execute();
      Future<RowSet<Row>> rows = sent.recover(failure -> {
        failed = true;
        return Future.failedFuture(new IllegalStateException("catalog query " + area.name().toLowerCase(Locale.ROOT)
            + " failed: " + failure.getMessage(), failure));
      });
      // Mapped on a worker thread while the connections go on with the next areas.
      boolean statistics = options.compares(ComparedKind.STATISTICS);
      mapped.set(area.ordinal(), rows.compose(result -> offLoop(() -> toObjects(result, statistics))));
      return rows;
    }

    /** Asks the pool for one more connection; it helps if it comes while areas are left. */
    private void lendHelper(String snapshotId) {
      pool.getConnection().onComplete(lent -> {
        if (lent.failed()) {
          helperReady();
          return;
        }
        SqlConnection connection = lent.result();
        Promise<Void> done = Promise.promise();
        if (join(done.future())) {
          help(connection, snapshotId).onComplete(helped -> connection.close().onComplete(closed -> done.complete()));
        } else {
          helperReady();
          connection.close();
        }
      });
      // A failure to lend (pool closed, server refusing connections) leaves the areas to the connections the snapshot
      // has: nothing is lost.
    }

    private void helperReady() {
      if (helpersAwaited.decrementAndGet() == 0) {
        helpersReady.tryComplete();
      }
    }

    private synchronized boolean join(Future<Void> helper) {
      if (closed || failed || pending.isEmpty()) {
        return false;
      }
      helpers.add(helper);
      return true;
    }

    private Future<Void> closeHelpers() {
      List<Future<Void>> joined;
      synchronized (this) {
        closed = true;
        joined = List.copyOf(helpers);
      }
      return Future.join(joined).mapEmpty();
    }

    /**
     * An extra connection: imports the first one's snapshot, pins the same settings, then takes areas off the queue.
     * SET TRANSACTION SNAPSHOT must come before the transaction's first query
     * (https://www.postgresql.org/docs/current/sql-set-transaction.html), so it directly follows BEGIN; the three are
     * pipelined. If the import fails the connection just does not help.
     */
    private Future<Void> help(SqlConnection connection, String snapshotId) {
      queries.addAndGet(3);
      Future<RowSet<Row>> begun = connection.query(BEGIN).execute();
      Future<RowSet<Row>> imported = connection.query("SET TRANSACTION SNAPSHOT '" + snapshotId + "'").execute();
      Future<RowSet<Row>> settings = connection.preparedQuery(SETTINGS).execute(settingsArguments);
      return Future.all(begun, imported, settings).transform(ready -> {
        helperReady();
        return ready.failed() ? Future.<Void>failedFuture(ready.cause())
            : (helpersFirst ? helpersReady.future() : Future.<Void>succeededFuture());
      }).compose(started -> drain(connection).compose(drained -> {
        queries.incrementAndGet();
        return connection.query("COMMIT").execute().<Void>mapEmpty();
      })).recover(failure -> connection.query("ROLLBACK").execute().<Void>mapEmpty());
    }

    /** The areas' objects, first area first where two name the same object, minus what is left out. */
    private Future<SchemaSnapshot> assemble(int versionNum) {
      List<Future<List<CatalogObject>>> areas = new ArrayList<>();
      for (CatalogArea area : CatalogArea.values()) {
        Future<List<CatalogObject>> objects = mapped.get(area.ordinal());
        if (objects != null) {
          areas.add(objects);
        }
      }
      return Future.all(areas).compose(done -> offLoop(() -> build(versionNum, areas, queries.get())));
    }
  }

  /**
   * Runs CPU-heavy work (160,000 objects for 10,000 tables) on a worker thread of the caller's Vert.x, so the event
   * loop goes on decoding rows meanwhile; inline where there is no context.
   */
  private static <T> Future<T> offLoop(Callable<T> work) {
    Context context = Vertx.currentContext();
    if (context == null) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }
    return context.executeBlocking(work, false);
  }

  private SchemaSnapshot build(int versionNum, List<Future<List<CatalogObject>>> areas, int queries) {
    int size = 0;
    for (Future<List<CatalogObject>> area : areas) {
      size += area.result().size();
    }
    // Looked up by owner below, never iterated in order: a hash map, sized once.
    Map<ObjectRef, CatalogObject> all = new HashMap<>(size * 4 / 3 + 1);
    for (Future<List<CatalogObject>> area : areas) {
      for (CatalogObject object : area.result()) {
        all.putIfAbsent(object.ref(), object);
      }
    }
    SortedMap<ObjectRef, CatalogObject> kept = new TreeMap<>();
    Map<ObjectRef, Boolean> decided = new HashMap<>(size * 4 / 3 + 1);
    all.forEach((ref, object) -> {
      if (!leftOut(object, all, decided, new HashSet<>())) {
        kept.put(ref, object);
      }
    });
    return new SchemaSnapshot(versionNum, kept, queries);
  }

  /**
   * Ignored or excluded itself, or owned (directly or not) by something that is. An object's answer is kept once known,
   * so the 10 columns of a table ask about the table once.
   */
  private boolean leftOut(CatalogObject object, Map<ObjectRef, CatalogObject> all, Map<ObjectRef, Boolean> decided,
      Set<ObjectRef> seen) {
    ObjectRef ref = object.ref();
    Boolean known = decided.get(ref);
    if (known != null) {
      return known;
    }
    boolean outermost = seen.isEmpty();
    if (!seen.add(ref)) {
      return false;
    }
    boolean result = options.ignored().test(ref)
        || ref.kind() == ObjectKind.TABLE && options.excludedTables().contains(ref.qualifiedName());
    for (ObjectRef owner : object.owners()) {
      CatalogObject ownerObject = all.get(owner);
      result = result
          || (ownerObject == null ? options.ignored().test(owner) : leftOut(ownerObject, all, decided, seen));
    }
    // A yes is always final; a no only from the outermost call: inside a cycle (which the catalog does not make, but
    // the seen set guards against) a no may have skipped part of the chain.
    if (outermost || result) {
      decided.put(ref, result);
    }
    return result;
  }

  /**
   * Line endings alone are never drift. PostgreSQL keeps a function body (and a comment, a string constant) byte for
   * byte as the migration file had it, so a checkout converted to CRLF (Windows, {@code core.autocrlf}) replays bodies
   * with {@code \r\n} that live has with {@code \n}, or the other way round; Flyway's and Prisma's checksums ignore
   * line endings for the same reason. Every text is kept with {@code \n}, so a suggested fix writes {@code \n} too.
   */
  static String withNewlines(String text) {
    return text.indexOf('\r') < 0 ? text : CARRIAGE_RETURN.matcher(text).replaceAll("\n");
  }

  /** @param statistics keep columns' statistics targets ({@link ComparedKind#STATISTICS}) */
  private static List<CatalogObject> toObjects(RowSet<Row> rows, boolean statistics) {
    List<String> columns = rows.columnsNames();
    int kindColumn = columns.indexOf("kind");
    int nameColumn = columns.indexOf("name");
    int ownersColumn = columns.indexOf("owners");
    int sqlNameColumn = columns.indexOf("sql_name");
    int attrsColumn = columns.indexOf("attrs");
    int positionColumn = columns.indexOf("position"); // only columns have one
    List<CatalogObject> objects = new ArrayList<>(rows.size());
    // A table is the owner of each of its columns, indexes and constraints: parsed once.
    Map<String, ObjectRef> owners = new HashMap<>();
    for (Row row : rows) {
      ObjectKind kind = ObjectKind.fromYaml(row.getString(kindColumn));
      String[] ownerNames = row.getArrayOfStrings(ownersColumn);
      List<ObjectRef> ownerRefs = new ArrayList<>(ownerNames.length);
      for (String owner : ownerNames) {
        ownerRefs.add(owners.computeIfAbsent(owner, ObjectRef::parse));
      }
      SortedMap<String, String> attributes = new TreeMap<>();
      JsonObject attrs = row.getJsonObject(attrsColumn);
      if (attrs != null) {
        // The map itself: JsonObject's iterator wraps every entry.
        for (Map.Entry<String, Object> attribute : attrs.getMap().entrySet()) {
          if (attribute.getValue() != null) {
            attributes.put(attribute.getKey(), withNewlines(String.valueOf(attribute.getValue())));
          }
        }
      }
      if (!statistics) {
        attributes.remove("statistics_target");
      }
      int position = positionColumn < 0 ? 0 : row.getInteger(positionColumn);
      objects.add(new CatalogObject(new ObjectRef(kind, row.getString(nameColumn)), ownerRefs,
          row.getString(sqlNameColumn), attributes, position));
    }
    return objects;
  }
}
