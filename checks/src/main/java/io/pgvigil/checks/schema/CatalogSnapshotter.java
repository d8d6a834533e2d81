package io.pgvigil.checks.schema;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Takes a {@link SchemaSnapshot} of the database a connection is on: a dozen batched
 * {@code pg_catalog} queries (never {@code information_schema}) in one read-only, repeatable-read
 * transaction, so all of them see the same catalog even while a migration runs.
 *
 * <p>{@code search_path} is set to {@code ''} for the transaction: every deparsed expression
 * (defaults, CHECKs, index, view and function definitions) is then schema-qualified and the same
 * whatever search_path the session, role or database has
 * (https://www.postgresql.org/docs/current/functions-info.html: "pg_get_expr ... qualifies names
 * as needed"). Run it on the live database and on the shadow of the same major, then
 * {@link SchemaDiff#compare}.
 *
 * <p>Left out: system schemas, temporary schemas, objects that belong to an extension (its version
 * is compared instead), the {@link SnapshotOptions#excludedTables() excluded tables}, whatever the
 * {@link SnapshotOptions#ignored() ignore predicate} matches, and everything in a schema named
 * {@code pgvigil}, where pgvigil keeps its own objects (markers, heartbeats), so that pgvigil never
 * reports itself. Each left-out object takes what it owns with it.
 *
 * <p>Locks: {@code pg_get_viewdef} (and {@code pg_get_functiondef} of a {@code BEGIN ATOMIC} body)
 * take ACCESS SHARE locks on the relations the query refers to, held to the end of the snapshot's
 * short transaction; behind a migration's ACCESS EXCLUSIVE lock the snapshot waits, up to
 * {@code statement_timeout}. Take snapshots between migrations.
 */
public final class CatalogSnapshotter {

  private static final String BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  // SET does not take parameters; set_config(..., true) is SET LOCAL with a bound value.
  // Besides search_path, the settings that change how constants are deparsed (a timestamptz
  // default or partition bound shows in the session's TimeZone and DateStyle, an interval in its
  // IntervalStyle, a float in extra_float_digits, bytea in bytea_output) are pinned, so the
  // session's, role's or driver's choices never show as drift
  // (https://www.postgresql.org/docs/current/runtime-config-client.html).
  private static final String SETTINGS = """
      SELECT set_config('search_path', '', true),
             set_config('statement_timeout', $1, true),
             set_config('TimeZone', 'UTC', true),
             set_config('DateStyle', 'ISO, YMD', true),
             set_config('IntervalStyle', 'postgres', true),
             set_config('extra_float_digits', '1', true),
             set_config('bytea_output', 'hex', true),
             current_setting('server_version_num')::int AS version_num
      """;

  private final SnapshotOptions options;

  public CatalogSnapshotter(SnapshotOptions options) {
    this.options = options;
  }

  /** Takes the snapshot on a connection of the pool, returned to it afterwards. */
  public Future<SchemaSnapshot> snapshot(Pool pool) {
    return pool.withConnection(this::snapshot);
  }

  /** Takes the snapshot on this connection, which must not be in a transaction. */
  public Future<SchemaSnapshot> snapshot(SqlConnection connection) {
    AtomicInteger queries = new AtomicInteger();
    queries.incrementAndGet();
    return connection.query(BEGIN).execute()
        .compose(begun -> {
          queries.incrementAndGet();
          return connection.preparedQuery(SETTINGS)
              .execute(Tuple.of(options.statementTimeout().toMillis() + "ms"));
        })
        .compose(settings -> {
          int versionNum = settings.iterator().next().getInteger("version_num");
          if (versionNum < CatalogArea.MIN_VERSION_NUM) {
            return Future.failedFuture(new IllegalStateException("schema drift needs PostgreSQL 14 or later, the server runs "
                + versionNum / 10_000));
          }
          // Sent at once: the connection pipelines them inside the one transaction.
          List<Future<RowSet<Row>>> areas = new ArrayList<>();
          for (CatalogArea area : CatalogArea.values()) {
            if (area.enabled(options)) {
              queries.incrementAndGet();
              areas.add(connection.query(area.sql()).execute().recover(failure -> Future.failedFuture(
                  new IllegalStateException("catalog query " + area.name().toLowerCase(Locale.ROOT) + " failed: "
                      + failure.getMessage(), failure))));
            }
          }
          return Future.all(areas).map(done -> build(versionNum, areas, queries));
        })
        .compose(
            snapshot -> {
              queries.incrementAndGet();
              return connection.query("COMMIT").execute()
                  .map(committed -> new SchemaSnapshot(snapshot.serverVersionNum(), snapshot.objects(), queries.get()));
            },
            failure -> connection.query("ROLLBACK").execute()
                .<SchemaSnapshot>transform(rolledBack -> Future.failedFuture(failure)));
  }

  private SchemaSnapshot build(int versionNum, List<Future<RowSet<Row>>> areas, AtomicInteger queries) {
    Map<ObjectRef, CatalogObject> all = new TreeMap<>();
    for (Future<RowSet<Row>> area : areas) {
      for (Row row : area.result()) {
        CatalogObject object = toObject(row);
        all.putIfAbsent(object.ref(), object);
      }
    }
    SortedMap<ObjectRef, CatalogObject> kept = new TreeMap<>();
    all.forEach((ref, object) -> {
      if (!leftOut(object, all, new HashSet<>())) {
        kept.put(ref, object);
      }
    });
    return new SchemaSnapshot(versionNum, kept, queries.get());
  }

  /** Ignored or excluded itself, or owned (directly or not) by something that is. */
  private boolean leftOut(CatalogObject object, Map<ObjectRef, CatalogObject> all, Set<ObjectRef> seen) {
    ObjectRef ref = object.ref();
    if (!seen.add(ref)) {
      return false;
    }
    if (options.ignored().test(ref)
        || ref.kind() == ObjectKind.TABLE && options.excludedTables().contains(ref.qualifiedName())) {
      return true;
    }
    for (ObjectRef owner : object.owners()) {
      CatalogObject ownerObject = all.get(owner);
      if (ownerObject == null ? options.ignored().test(owner) : leftOut(ownerObject, all, seen)) {
        return true;
      }
    }
    return false;
  }

  private static CatalogObject toObject(Row row) {
    ObjectKind kind = ObjectKind.fromYaml(row.getString("kind"));
    List<ObjectRef> owners = new ArrayList<>();
    for (String owner : row.getArrayOfStrings("owners")) {
      owners.add(ObjectRef.parse(owner));
    }
    SortedMap<String, String> attributes = new TreeMap<>();
    JsonObject attrs = row.getJsonObject("attrs");
    if (attrs != null) {
      for (Map.Entry<String, Object> attribute : attrs) {
        if (attribute.getValue() != null) {
          attributes.put(attribute.getKey(), String.valueOf(attribute.getValue()));
        }
      }
    }
    return new CatalogObject(new ObjectRef(kind, row.getString("name")), owners, row.getString("sql_name"), attributes);
  }
}
