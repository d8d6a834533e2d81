package io.pgvigil.checks.schema;

import static io.pgvigil.checks.schema.SchemaFixture.withComments;
import static io.pgvigil.checks.schema.SchemaFixture.withGrants;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A snapshot spread over three connections that share one exported MVCC snapshot is the
 * single-connection snapshot, and stays one point in time while DDL commits between its queries.
 */
@ExtendWith(PostgresExtension.class)
class CatalogParallelSnapshotIT {

  private static final int CHURN_TABLES = 400;

  static TestPostgres pg;
  static SchemaFixture fixture;

  @BeforeAll
  static void createDatabases() throws Exception {
    fixture = new SchemaFixture(pg);
    fixture.createDatabase("realistic", null);
    fixture.apply("realistic", null, SchemaFixture.chunks());
    fixture.createDatabase("churn", null);
    fixture.execute("churn", "CREATE SCHEMA churn");
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  @Test
  void equalsTheSingleConnectionSnapshotOfTheRealisticSchema() {
    for (SnapshotOptions options : List.of(SnapshotOptions.defaults(),
        withGrants(withComments(SnapshotOptions.defaults())))) {
      SchemaSnapshot single = fixture.snapshot("realistic", options.withParallelism(1));
      // helpersFirst: both extra connections import the snapshot before any area runs, so they
      // surely take areas; their four statements each show they did.
      SchemaSnapshot parallel =
          fixture.snapshot("realistic", new CatalogSnapshotter(options.withParallelism(3), true), 3);
      SchemaSnapshot asItComes = fixture.snapshot("realistic", new CatalogSnapshotter(options.withParallelism(3)), 3);

      assertThat(parallel.queries()).isEqualTo(single.queries() + 2 * 4);
      assertThat(parallel.objects()).isEqualTo(single.objects());
      assertThat(asItComes.objects()).isEqualTo(single.objects());
      assertThat(fixture.diff(single, parallel)).isEmpty();
    }
  }

  @Test
  void isOnePointInTimeWhileTablesAreCreatedAndDropped() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger created = new AtomicInteger();
    ExecutorService ddlThread = Executors.newSingleThreadExecutor();
    CatalogSnapshotter snapshotter = new CatalogSnapshotter(SnapshotOptions.defaults(), true);
    List<SchemaSnapshot> snapshots = new ArrayList<>();
    try {
      // Each transaction creates a table with a column default, a primary key and an index, and a
      // bare table, and drops the bare table made two transactions before: a torn snapshot (areas
      // read at different points in time) shows a column or index without its table, or a table
      // without them, or more bare tables than ever lived at once. Only bare tables are dropped:
      // the deparsing functions read the catalog as it is now, not the snapshot, so a constraint
      // or index dropped under a snapshot fails it ("cache lookup failed for index"), with one
      // connection as with three: they look objects up in the system caches, which follow the
      // latest committed catalog.
      Future<?> ddl = ddlThread.submit(() -> {
        try (Connection connection = DriverManager.getConnection(churnUrl());
            Statement statement = connection.createStatement()) {
          for (int i = 1; i <= CHURN_TABLES && !stop.get(); i++) {
            statement.execute("CREATE TABLE churn.t_" + i + " (id integer PRIMARY KEY, v text NOT NULL DEFAULT 'x');"
                + " CREATE INDEX t_" + i + "_v ON churn.t_" + i + " (v);"
                + " CREATE TABLE churn.p_" + i + " (a integer);"
                + (i > 2 ? " DROP TABLE churn.p_" + (i - 2) : ""));
            created.set(i);
          }
        }
        return null;
      });
      // Bounded by count: snapshots while the DDL runs, at least a few even if it finished first.
      for (int i = 0; i < 50 && (!ddl.isDone() || snapshots.size() < 3); i++) {
        snapshots.add(fixture.snapshot("churn", snapshotter, 3));
      }
      stop.set(true);
      ddl.get(1, TimeUnit.MINUTES);
    } finally {
      stop.set(true);
      ddlThread.shutdownNow();
    }

    assertThat(created.get()).isPositive();
    for (SchemaSnapshot snapshot : snapshots) {
      assertConsistent(snapshot);
    }
  }

  private static Stream<ObjectRef> refs(SchemaSnapshot snapshot, ObjectKind kind) {
    return snapshot.objects().keySet().stream().filter(ref -> ref.kind() == kind);
  }

  private static void assertConsistent(SchemaSnapshot snapshot) {
    Set<ObjectRef> refs = snapshot.objects().keySet();
    List<String> tables = refs(snapshot, ObjectKind.TABLE)
        .map(ObjectRef::qualifiedName).filter(name -> name.startsWith("churn.t_")).toList();
    // Two bare tables live between transactions, never more.
    assertThat(refs(snapshot, ObjectKind.TABLE)
        .filter(ref -> ref.qualifiedName().startsWith("churn.p_"))).hasSizeLessThanOrEqualTo(2);
    // Every full table with all it owns, and as many bare ones as full ones, give or take the two dropped.
    assertThat(refs(snapshot, ObjectKind.COLUMN)
        .filter(ref -> ref.qualifiedName().startsWith("churn.t_"))).hasSize(2 * tables.size());
    for (String table : tables) {
      String name = table.substring("churn.".length());
      assertThat(refs).as("what table %s owns", table).contains(
          new ObjectRef(ObjectKind.COLUMN, table + ".id"),
          new ObjectRef(ObjectKind.COLUMN, table + ".v"),
          new ObjectRef(ObjectKind.CONSTRAINT, table + "." + name + "_pkey"),
          new ObjectRef(ObjectKind.INDEX, "churn." + name + "_pkey"),
          new ObjectRef(ObjectKind.INDEX, "churn." + name + "_v"));
    }
    snapshot.objects().values().stream()
        .filter(object -> object.ref().qualifiedName().startsWith("churn."))
        .forEach(object -> object.owners().stream()
            .filter(owner -> owner.kind() == ObjectKind.TABLE || owner.kind() == ObjectKind.CONSTRAINT)
            .forEach(owner -> assertThat(refs).as("owner of %s", object.ref()).contains(owner)));
  }

  private static String churnUrl() {
    return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/churn?user=" + pg.user()
        + (pg.password() == null ? "" : "&password=" + pg.password());
  }
}
