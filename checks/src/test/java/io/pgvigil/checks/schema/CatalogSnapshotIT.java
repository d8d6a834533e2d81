package io.pgvigil.checks.schema;

import static io.pgvigil.checks.schema.SchemaFixture.withComments;
import static io.pgvigil.checks.schema.SchemaFixture.withGrants;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.testing.OwnedTestPostgres;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import io.pgvigil.checks.testing.TestServers;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Identical histories give identical snapshots, whatever the session; the snapshot sees every kind. */
@ExtendWith(PostgresExtension.class)
class CatalogSnapshotIT {

  static TestPostgres pg;
  static SchemaFixture fixture;

  @BeforeAll
  static void createDatabases() throws Exception {
    fixture = new SchemaFixture(pg);
    fixture.createDatabase("expected", null);
    fixture.apply("expected", null, SchemaFixture.chunks());
    fixture.createDatabase("replayed", null);
    fixture.apply("replayed", null, SchemaFixture.chunks());
    // Another order of independent statements, from a session with another search_path and time zone.
    fixture.createDatabase("reordered", null);
    fixture.apply("reordered", "SET search_path = audit, app, public; SET TimeZone = 'Asia/Kolkata'",
        SchemaFixture.reorderedChunks());
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  @Test
  void findsNothingBetweenTwoReplaysOfTheSameHistory() {
    SchemaSnapshot expected = fixture.snapshot("expected", SnapshotOptions.defaults());
    SchemaSnapshot actual = fixture.snapshot("replayed", SnapshotOptions.defaults());

    assertThat(fixture.diff(expected, actual)).isEmpty();
    assertThat(actual.objects()).isEqualTo(expected.objects());
  }

  @Test
  void findsNothingBetweenReplaysOnTwoServersOfTheSameMajor() throws Exception {
    SnapshotOptions all = withGrants(withComments(SnapshotOptions.defaults()));
    SchemaSnapshot expected = fixture.snapshot("expected", all);
    try (OwnedTestPostgres other = TestServers.start("CatalogSnapshotIT-other");
        SchemaFixture otherFixture = new SchemaFixture(other)) {
      // Different OIDs from the start: objects made and dropped before the replay.
      otherFixture.execute(other.database(), "CREATE TABLE public.burn AS SELECT 1 AS x", "DROP TABLE public.burn");
      otherFixture.apply(other.database(), null, SchemaFixture.chunks());

      assertThat(fixture.diff(expected, otherFixture.snapshot(other.database(), all))).isEmpty();
    }
  }

  @Test
  void findsNothingBetweenTwoReplaysOnAnotherMajorToo() throws Exception {
    int major = TestServers.otherMajor();
    try (OwnedTestPostgres other = TestServers.startEmbedded(major, "CatalogSnapshotIT-major-" + major);
        SchemaFixture otherFixture = new SchemaFixture(other)) {
      otherFixture.createDatabase("expected", null);
      otherFixture.apply("expected", null, SchemaFixture.chunks());
      otherFixture.createDatabase("reordered", null);
      otherFixture.apply("reordered", "SET search_path = audit, app, public; SET TimeZone = 'Asia/Kolkata'",
          SchemaFixture.reorderedChunks());

      SchemaSnapshot expected = otherFixture.snapshot("expected", SnapshotOptions.defaults());
      SchemaSnapshot actual = otherFixture.snapshot("reordered", SnapshotOptions.defaults());
      assertThat(expected.major()).isEqualTo(major);
      assertThat(otherFixture.diff(expected, actual)).isEmpty();
      assertThat(actual.objects()).isEqualTo(expected.objects());
    }
  }

  @Test
  void findsNothingWithCommentsAndGrantsCompared() {
    SnapshotOptions all = withGrants(withComments(SnapshotOptions.defaults()));
    SchemaSnapshot expected = fixture.snapshot("expected", all);

    assertThat(fixture.diff(expected, fixture.snapshot("replayed", all))).isEmpty();
    assertThat(expected.objects()).containsKey(
        new ObjectRef(ObjectKind.COMMENT, "table public.settings"));
    assertThat(expected.objects()).containsKey(
        new ObjectRef(ObjectKind.GRANT, "view app.open_orders to public"));
  }

  @Test
  void findsNothingWhenStatementOrderAndSessionSettingsDiffer() {
    SchemaSnapshot expected = fixture.snapshot("expected", SnapshotOptions.defaults());
    // The snapshot's own session differs too: its settings must not leak into deparsed text.
    SchemaSnapshot actual = fixture.snapshot("reordered", withComments(SnapshotOptions.defaults()),
        Map.of("search_path", "app, audit, public", "TimeZone", "America/New_York",
            "IntervalStyle", "iso_8601", "extra_float_digits", "3"));
    SchemaSnapshot expectedWithComments = fixture.snapshot("expected", withComments(SnapshotOptions.defaults()));

    assertThat(fixture.diff(expectedWithComments, actual)).isEmpty();
    assertThat(expected.get(new ObjectRef(ObjectKind.COLUMN, "app.orders.number")).orElseThrow().attribute("default"))
        .isEqualTo("nextval('app.order_number_seq'::regclass)");
    assertThat(actual.get(new ObjectRef(ObjectKind.COLUMN, "public.notes.starts")).orElseThrow().attribute("default"))
        .isEqualTo("'2024-06-01 12:00:00+00'::timestamp with time zone");
  }

  @Test
  void seesEveryKindOfObject() {
    SchemaSnapshot snapshot = fixture.snapshot("expected",
        SnapshotOptions.defaults().withCompared(EnumSet.allOf(ComparedKind.class)));

    Set<ObjectKind> kinds = snapshot.objects().keySet().stream().map(ObjectRef::kind).collect(Collectors.toSet());
    assertThat(kinds).containsExactlyInAnyOrder(ObjectKind.values());
    assertThat(snapshot.objects().keySet()).extracting(ObjectRef::toString).contains(
        "schema app", "schema audit", "schema public",
        "table app.orders", "table audit.events", "table audit.events_2024", "table audit.scratch",
        "column app.orders.status", "column app.orders.total_with_tax", "column app.customers.id",
        "constraint app.orders.orders_pkey", "constraint app.orders.orders_customer_id_fkey",
        "constraint app.orders.orders_note_length", "constraint audit.bookings.bookings_no_overlap",
        "constraint audit.event_notes.event_notes_event_id_occurred_at_fkey",
        "index app.orders_open_idx", "index app.customers_external_ref_uq", "index audit.events_2024_kind_idx",
        "sequence app.order_number_seq", "sequence app.orders_id_seq", "sequence public.invoice_number_seq",
        "view app.open_orders", "materialized_view app.daily_sales",
        "function app.order_total(bigint)", "function app.archive_orders(timestamp with time zone)",
        "function app.concat_all(text)", "function app.double_it(integer)",
        "owner table app.orders", "statistics app.orders_customer_status", "owner function app.order_total(bigint)",
        "owner type app.email",
        "default_privileges types for role " + pg.user() + " in schema audit to public",
        "trigger app.orders.orders_touch", "trigger audit.events_2025.events_kind_check",
        "type app.order_status", "type app.email", "type app.address", "type app.price_range",
        "extension citext", "extension plpgsql",
        "policy app.orders.orders_tenant", "policy app.orders.orders_insert");
    assertThat(snapshot.get(new ObjectRef(ObjectKind.TABLE, "audit.events_2025")).orElseThrow().attributes())
        .containsEntry("partition_of", "audit.events")
        .containsEntry("options", "fillfactor=90");
    assertThat(snapshot.get(new ObjectRef(ObjectKind.TRIGGER, "app.orders.orders_touch_on_insert")).orElseThrow()
        .attribute("enabled")).isEqualTo("disabled");
    assertThat(snapshot.get(new ObjectRef(ObjectKind.TYPE, "app.order_status")).orElseThrow().attribute("labels"))
        .isEqualTo("[\"pending\", \"paid\", \"shipped\", \"cancelled\"]");
    assertThat(snapshot.get(new ObjectRef(ObjectKind.SEQUENCE, "app.order_number_seq")).orElseThrow()
        .attribute("owned_by")).isEqualTo("app.orders.number");
  }

  @Test
  void leavesOutWhatExtensionsOwn() {
    SchemaSnapshot snapshot =
        fixture.snapshot("expected", withGrants(withComments(SnapshotOptions.defaults())));

    assertThat(snapshot.objects().keySet()).extracting(ObjectRef::qualifiedName)
        .noneMatch(name -> name.startsWith("public.citext") || name.startsWith("public.regexp_")
            || name.contains("texticlike"));
    assertThat(snapshot.get(new ObjectRef(ObjectKind.EXTENSION, "citext")).orElseThrow().attributes())
        .containsEntry("version", "1.5").containsEntry("schema", "public");
  }

  @Test
  void countsItsQueries() {
    SnapshotOptions one = SnapshotOptions.defaults().withParallelism(1).withCompared(Set.of());
    SchemaSnapshot plain = fixture.snapshot("expected", one);
    SchemaSnapshot everything =
        fixture.snapshot("expected", one.withCompared(EnumSet.allOf(ComparedKind.class)));

    // BEGIN, the settings, one query per catalog area, COMMIT. Columns' statistics targets come with the columns.
    assertThat(plain.queries()).isEqualTo(2 + 10 + 1);
    assertThat(everything.queries()).isEqualTo(2 + 15 + 1);
    assertThat(Arrays.stream(CatalogArea.values()).count()).isEqualTo(15);
  }

  @Test
  void countsTheQueriesOfEachConnectionOfAParallelSnapshot() {
    SnapshotOptions three = SnapshotOptions.defaults().withParallelism(3).withCompared(Set.of());
    SchemaSnapshot plain = fixture.snapshot("expected", new CatalogSnapshotter(three, true), 3);
    SchemaSnapshot everything = fixture.snapshot("expected",
        new CatalogSnapshotter(three.withCompared(EnumSet.allOf(ComparedKind.class)), true), 3);

    // The first connection as above; each of the two others BEGIN, SET TRANSACTION SNAPSHOT, the
    // settings, COMMIT, besides the areas it took.
    assertThat(plain.queries()).isEqualTo(2 + 10 + 1 + 2 * 4);
    assertThat(everything.queries()).isEqualTo(2 + 15 + 1 + 2 * 4);
  }

  @Test
  void takesAParallelSnapshotOnAPoolOfOneConnection() {
    SnapshotOptions three = SnapshotOptions.defaults().withParallelism(3).withCompared(Set.of());
    SchemaSnapshot parallel = fixture.snapshot("expected", new CatalogSnapshotter(three), 1);

    // The extra connections never come while areas are left: all of them run on the one.
    assertThat(parallel.queries()).isEqualTo(2 + 10 + 1);
    assertThat(parallel.objects()).isEqualTo(fixture.snapshot("expected", three.withParallelism(1)).objects());
  }
}
