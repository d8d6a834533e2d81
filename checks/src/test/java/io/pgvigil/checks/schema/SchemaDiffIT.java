package io.pgvigil.checks.schema;

import static io.pgvigil.checks.schema.SchemaFixture.also;
import static io.pgvigil.checks.schema.SchemaFixture.withComments;
import static io.pgvigil.checks.schema.SchemaFixture.withGrants;
import static io.pgvigil.checks.schema.SchemaFixture.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each hand change to a copy of the expected schema is one finding, on the right object, with the right severity. */
@ExtendWith(PostgresExtension.class)
class SchemaDiffIT {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  static TestPostgres pg;
  static SchemaFixture fixture;
  static SchemaSnapshot expected;

  @BeforeAll
  static void createTheExpectedSchema() throws Exception {
    fixture = new SchemaFixture(pg);
    fixture.createDatabase("base", null);
    fixture.apply("base", null, SchemaFixture.chunks());
    fixture.createDatabase("expected", "base");
    expected = fixture.snapshot("expected", SnapshotOptions.defaults());
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  @Test
  void reportsAnExtraIndex() throws Exception {
    SchemaFinding finding = single(changedBy("CREATE INDEX orders_status_idx ON app.orders (status)"),
        ObjectKind.INDEX, "app.orders_status_idx", Change.UNEXPECTED, Severity.PERFORMANCE);
    assertThat(finding.suggestedSql()).contains("DROP INDEX CONCURRENTLY app.orders_status_idx;");
  }

  @Test
  void reportsAMissingIndex() throws Exception {
    SchemaFinding finding = single(changedBy("DROP INDEX app.orders_open_idx"),
        ObjectKind.INDEX, "app.orders_open_idx", Change.MISSING, Severity.PERFORMANCE);
    assertThat(finding.suggestedSql()).contains("CREATE INDEX CONCURRENTLY orders_open_idx ON app.orders USING btree "
        + "(ordered_at) WHERE (status = ANY (ARRAY['pending'::app.order_status, 'paid'::app.order_status]));");
  }

  @Test
  void reportsAnInvalidIndexLeftByAFailedConcurrentBuild() throws Exception {
    String database = copy();
    fixture.execute(database,
        "DROP INDEX app.customers_external_ref_uq",
        "INSERT INTO app.customers (email, name, external_ref) VALUES ('a@example.com', 'a', 'dup'), ('b@example.com', 'b', 'dup')");
    assertThatThrownBy(() -> fixture.execute(database,
        "CREATE UNIQUE INDEX CONCURRENTLY customers_external_ref_uq ON app.customers (external_ref) WHERE external_ref IS NOT NULL"))
        .isInstanceOf(SQLException.class);

    SchemaFinding finding = single(diff(database, SnapshotOptions.defaults()),
        ObjectKind.INDEX, "app.customers_external_ref_uq", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("INVALID (expected valid)");
    assertThat(finding.suggestedSql()).isEmpty();
    assertThat(finding.manualFix().orElseThrow()).contains("SELECT external_ref, count(*) AS copies FROM app.customers "
        + "WHERE (external_ref IS NOT NULL) AND external_ref IS NOT NULL GROUP BY external_ref HAVING count(*) > 1;");
  }

  @Test
  void reportsAChangedDefault() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.orders ALTER COLUMN status SET DEFAULT 'paid'"),
        ObjectKind.COLUMN, "app.orders.status", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("default: 'pending'::app.order_status → 'paid'::app.order_status");
    assertThat(finding.suggestedSql())
        .contains("ALTER TABLE app.orders ALTER COLUMN status SET DEFAULT 'pending'::app.order_status;");
  }

  @Test
  void reportsADroppedNotNull() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.orders ALTER COLUMN ordered_at DROP NOT NULL"),
        ObjectKind.COLUMN, "app.orders.ordered_at", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("nullable (expected NOT NULL)");
    assertThat(finding.suggestedSql()).contains("ALTER TABLE app.orders ALTER COLUMN ordered_at SET NOT NULL;");
  }

  @Test
  void reportsAChangedColumnTypeOnTheColumnOnly() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.order_lines ALTER COLUMN sku TYPE varchar(80)"),
        ObjectKind.COLUMN, "app.order_lines.sku", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("type: character varying(40) → character varying(80)");
    // Narrowing without USING: the assignment cast fails on a value too long, an explicit cast would truncate it.
    assertThat(finding.suggestedSql().orElseThrow()).startsWith("-- rewrites the table")
        .contains("a value too long for character varying(40) fails the statement")
        .endsWith("\nALTER TABLE app.order_lines ALTER COLUMN sku TYPE character varying(40);");
  }

  @Test
  void reportsAnExtraColumn() throws Exception {
    single(changedBy("ALTER TABLE app.orders ADD COLUMN coupon text"),
        ObjectKind.COLUMN, "app.orders.coupon", Change.UNEXPECTED, Severity.INTEGRITY);
  }

  @Test
  void reportsADroppedColumn() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE public.settings DROP COLUMN updated_by"),
        ObjectKind.COLUMN, "public.settings.updated_by", Change.MISSING, Severity.INTEGRITY);
    assertThat(finding.suggestedSql())
        .contains("ALTER TABLE public.settings ADD COLUMN updated_by text DEFAULT CURRENT_USER;");
  }

  @Test
  void reportsADroppedConstraint() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_quantity_check"),
        ObjectKind.CONSTRAINT, "app.order_lines.order_lines_quantity_check", Change.MISSING, Severity.INTEGRITY);
    assertThat(finding.suggestedSql())
        .contains(
            "ALTER TABLE app.order_lines ADD CONSTRAINT order_lines_quantity_check CHECK (quantity > 0) NOT VALID;\n"
                + "ALTER TABLE app.order_lines VALIDATE CONSTRAINT order_lines_quantity_check;");
  }

  @Test
  void reportsAConstraintLeftNotValid() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.orders DROP CONSTRAINT orders_note_length, "
        + "ADD CONSTRAINT orders_note_length CHECK (char_length(note) <= 500) NOT VALID"),
        ObjectKind.CONSTRAINT, "app.orders.orders_note_length", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).contains("NOT VALID (expected validated)");
    assertThat(finding.suggestedSql()).contains("ALTER TABLE app.orders VALIDATE CONSTRAINT orders_note_length;");
  }

  @Test
  void reportsAChangedForeignKeyAction() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.orders DROP CONSTRAINT orders_customer_id_fkey, "
        + "ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES app.customers (id) "
        + "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"),
        ObjectKind.CONSTRAINT, "app.orders.orders_customer_id_fkey", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).contains("ON DELETE SET NULL").contains("→").contains("ON DELETE CASCADE");
    assertThat(finding.suggestedSql().orElseThrow())
        .contains("ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED NOT VALID;")
        .endsWith("ALTER TABLE app.orders VALIDATE CONSTRAINT orders_customer_id_fkey;");
  }

  @Test
  void reportsDisabledRowLevelSecurity() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.orders DISABLE ROW LEVEL SECURITY"),
        ObjectKind.TABLE, "app.orders", Change.CHANGED, Severity.SECURITY);
    assertThat(finding.suggestedSql()).contains("ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;");
  }

  @Test
  void reportsAChangedPolicy() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER POLICY orders_tenant ON app.orders USING (true)"),
        ObjectKind.POLICY, "app.orders.orders_tenant", Change.CHANGED, Severity.SECURITY);
    assertThat(finding.detail()).endsWith("→ true");
  }

  @Test
  void reportsADroppedPolicy() throws Exception {
    single(changedBy("DROP POLICY orders_insert ON app.orders"),
        ObjectKind.POLICY, "app.orders.orders_insert", Change.MISSING, Severity.SECURITY);
  }

  @Test
  void reportsSecurityDefinerAddedToAFunction() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER FUNCTION app.order_count() SECURITY DEFINER"),
        ObjectKind.FUNCTION, "app.order_count()", Change.CHANGED, Severity.SECURITY);
    assertThat(finding.detail()).contains("SECURITY DEFINER (expected SECURITY INVOKER)");
    assertThat(finding.suggestedSql().orElseThrow()).startsWith("CREATE OR REPLACE FUNCTION app.order_count()")
        .doesNotContain("SECURITY DEFINER");
  }

  @Test
  void reportsASecurityDefinerFunctionAddedByHand() throws Exception {
    single(changedBy("CREATE FUNCTION public.run_as_owner(sql text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER "
        + "AS $$ BEGIN EXECUTE sql; END $$"),
        ObjectKind.FUNCTION, "public.run_as_owner(text)", Change.UNEXPECTED, Severity.SECURITY);
  }

  @Test
  void reportsAChangedView() throws Exception {
    SchemaFinding finding = single(
        changedBy(
            "CREATE OR REPLACE VIEW app.open_orders WITH (security_barrier = true) AS SELECT o.id, o.number, c.email "
                + "FROM app.orders o JOIN app.customers c ON c.id = o.customer_id WHERE o.status = 'pending'"),
        ObjectKind.VIEW, "app.open_orders", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("definition changed");
    assertThat(finding.suggestedSql().orElseThrow()).contains(
        "\nCREATE OR REPLACE VIEW app.open_orders WITH (security_barrier=true) AS\n");
  }

  @Test
  void reportsADisabledTrigger() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TABLE app.orders DISABLE TRIGGER orders_touch"),
        ObjectKind.TRIGGER, "app.orders.orders_touch", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("trigger disabled (expected enabled)");
    assertThat(finding.suggestedSql()).contains("ALTER TABLE app.orders ENABLE TRIGGER orders_touch;");
  }

  @Test
  void reportsAnAddedEnumLabel() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER TYPE app.order_status ADD VALUE 'refunded'"),
        ObjectKind.TYPE, "app.order_status", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).endsWith("\"cancelled\", \"refunded\"]");
  }

  @Test
  void reportsAChangedSequenceIncrement() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER SEQUENCE public.invoice_number_seq INCREMENT BY 10"),
        ObjectKind.SEQUENCE, "public.invoice_number_seq", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("increment: 5 → 10");
    assertThat(finding.suggestedSql().orElseThrow()).contains("INCREMENT BY 5");
  }

  @Test
  void reportsAnUpdatedExtensionButNotWhatItOwns() throws Exception {
    SchemaFinding finding = single(changedBy("ALTER EXTENSION citext UPDATE TO '1.6'"),
        ObjectKind.EXTENSION, "citext", Change.CHANGED, Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("version: 1.5 → 1.6");
  }

  @Test
  void reportsAnExtraExtensionButNotWhatItOwns() throws Exception {
    single(changedBy("CREATE EXTENSION hstore SCHEMA public"),
        ObjectKind.EXTENSION, "hstore", Change.UNEXPECTED, Severity.INTEGRITY);
  }

  @Test
  void reportsATableAddedByHandOnce() throws Exception {
    single(changedBy("CREATE TABLE public.imports (id integer PRIMARY KEY, payload text NOT NULL)",
        "CREATE INDEX imports_payload_idx ON public.imports (payload)"),
        ObjectKind.TABLE, "public.imports", Change.UNEXPECTED, Severity.INTEGRITY);
  }

  @Test
  void reportsADroppedTableOnce() throws Exception {
    single(changedBy("DROP TABLE app.order_lines"),
        ObjectKind.TABLE, "app.order_lines", Change.MISSING, Severity.INTEGRITY);
  }

  @Test
  void reportsAnIndexAddedToAPartitionedTableOnce() throws Exception {
    SchemaFinding finding = single(changedBy("CREATE INDEX events_occurred_idx ON audit.events (occurred_at)"),
        ObjectKind.INDEX, "audit.events_occurred_idx", Change.UNEXPECTED, Severity.PERFORMANCE);
    assertThat(finding.suggestedSql()).contains("DROP INDEX audit.events_occurred_idx;");
  }

  @Test
  void reportsAChangedPrimaryKeyThroughItsConstraint() throws Exception {
    single(
        changedBy(
            "ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_pkey, ADD PRIMARY KEY (order_id, line_no, sku)"),
        ObjectKind.CONSTRAINT, "app.order_lines.order_lines_pkey", Change.CHANGED, Severity.INTEGRITY);
  }

  @Test
  void honoursIgnorePatterns() throws Exception {
    String database = copy();
    fixture.execute(database, "CREATE TABLE public.tmp_import (id integer PRIMARY KEY, line text)",
        "CREATE INDEX tmp_import_line_idx ON public.tmp_import (line)");
    SnapshotOptions ignoring = SnapshotOptions.defaults()
        .withIgnored(IgnorePattern.anyOf(List.of(IgnorePattern.parse("table:public.tmp_*"))));

    assertThat(diff(database, ignoring)).isEmpty();
    single(diff(database, SnapshotOptions.defaults()), ObjectKind.TABLE, "public.tmp_import", Change.UNEXPECTED,
        Severity.INTEGRITY);
  }

  @Test
  void leavesOutTheExcludedHistoryTable() throws Exception {
    String database = copy();
    fixture.execute(database, """
        CREATE TABLE public.flyway_schema_history (
          installed_rank integer NOT NULL CONSTRAINT flyway_schema_history_pk PRIMARY KEY,
          version varchar(50), description varchar(200) NOT NULL, script varchar(1000) NOT NULL,
          installed_on timestamp NOT NULL DEFAULT now(), success boolean NOT NULL)""",
        "CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history (success)");
    SnapshotOptions excluding = SnapshotOptions.defaults().withExcludedTables(Set.of("public.flyway_schema_history"));

    assertThat(diff(database, excluding)).isEmpty();
    assertThat(fixture.snapshot(database, excluding).objects().keySet())
        .extracting(ObjectRef::qualifiedName).noneMatch(name -> name.contains("flyway_schema_history"));
  }

  @Test
  void leavesOutPgvigilsOwnSchema() throws Exception {
    assertThat(changedBy("CREATE SCHEMA pgvigil",
        "CREATE TABLE pgvigil.heartbeat (at timestamptz PRIMARY KEY)",
        "CREATE FUNCTION pgvigil.beat() RETURNS void LANGUAGE sql AS $$ INSERT INTO pgvigil.heartbeat VALUES (now()) $$"))
        .isEmpty();
  }

  @Test
  void comparesCommentsUnlessSwitchedOff() throws Exception {
    String database = copy();
    fixture.execute(database, "COMMENT ON TABLE app.orders IS 'Orders, one per checkout'");
    SnapshotOptions comments = withComments(SnapshotOptions.defaults());

    assertThat(diffBoth(database, without(SnapshotOptions.defaults(), ComparedKind.COMMENTS))).isEmpty();
    List<SchemaFinding> findings =
        fixture.diff(fixture.snapshot("expected", comments), fixture.snapshot(database, comments));
    single(findings, ObjectKind.COMMENT, "table app.orders", Change.UNEXPECTED, Severity.COSMETIC);
  }

  @Test
  void reportsAGrantAddedWhenGrantsAreCompared() throws Exception {
    String database = copy();
    fixture.execute(database, "GRANT SELECT, UPDATE ON app.orders TO PUBLIC");
    SnapshotOptions grants = withGrants(SnapshotOptions.defaults());

    assertThat(diff(database, SnapshotOptions.defaults())).isEmpty();
    SchemaFinding finding =
        single(fixture.diff(fixture.snapshot("expected", grants), fixture.snapshot(database, grants)),
            ObjectKind.GRANT, "table app.orders to public", Change.UNEXPECTED, Severity.SECURITY);
    assertThat(finding.actual()).isEqualTo("privileges: SELECT, UPDATE");
  }

  @Test
  void reportsARevokedGrantAsSecurityWithAGrantThatRestoresIt() throws Exception {
    String database = copy();
    fixture.execute(database, "REVOKE SELECT ON app.open_orders FROM PUBLIC");
    SnapshotOptions grants = withGrants(SnapshotOptions.defaults());

    assertThat(diff(database, SnapshotOptions.defaults())).isEmpty();
    SchemaFinding finding = single(diffBoth(database, grants),
        ObjectKind.GRANT, "view app.open_orders to public", Change.MISSING, Severity.SECURITY);
    assertThat(finding.suggestedSql()).contains("GRANT SELECT ON TABLE app.open_orders TO PUBLIC;");
    assertFixBringsLiveBack(database, grants, finding);
  }

  @Test
  void revokesAnExtraPrivilegeAndGrantsAMissingOneOnAChangedGrant() throws Exception {
    fixture.execute(pg.database(), "CREATE ROLE \"Diff report ers\"");
    String expectedDatabase = copy();
    fixture.execute(expectedDatabase, "GRANT SELECT, UPDATE ON app.orders TO \"Diff report ers\" WITH GRANT OPTION");
    String database = copy();
    fixture.execute(database, "GRANT SELECT, DELETE ON app.orders TO \"Diff report ers\"");
    SnapshotOptions grants = withGrants(SnapshotOptions.defaults());

    SchemaFinding finding = single(
        fixture.diff(fixture.snapshot(expectedDatabase, grants), fixture.snapshot(database, grants)),
        ObjectKind.GRANT, "table app.orders to Diff report ers", Change.CHANGED, Severity.SECURITY);
    assertThat(finding.suggestedSql()).contains("""
        GRANT SELECT, UPDATE ON TABLE app.orders TO "Diff report ers" WITH GRANT OPTION;
        REVOKE DELETE ON TABLE app.orders FROM "Diff report ers";""");
    fixture.execute(database, finding.suggestedSql().orElseThrow());
    assertThat(fixture.diff(fixture.snapshot(expectedDatabase, grants), fixture.snapshot(database, grants)))
        .isEmpty();
  }

  @Test
  void mapsShadowRolesToLiveRolesSoDifferentlyNamedGranteesMatch() throws Exception {
    fixture.execute(pg.database(), "CREATE ROLE diff_reader_shadow", "CREATE ROLE diff_reader_live");
    String shadow = copy();
    fixture.execute(shadow, "GRANT SELECT ON app.orders TO diff_reader_shadow");
    String live = copy();
    fixture.execute(live, "GRANT SELECT ON app.orders TO diff_reader_live");
    SnapshotOptions grants = withGrants(SnapshotOptions.defaults());
    SnapshotOptions mapped = grants.withRoleMap(Map.of("diff_reader_shadow", "diff_reader_live"));

    assertThat(fixture.diff(fixture.snapshot(shadow, grants), fixture.snapshot(live, grants)))
        .extracting(f -> f.object().toString())
        .containsExactly("grant table app.orders to diff_reader_live", "grant table app.orders to diff_reader_shadow");
    assertThat(fixture.diff(fixture.snapshot(shadow, mapped), fixture.snapshot(live, grants))).isEmpty();
  }

  @Test
  void reportsAChangedCommentAsCosmeticUnlessCommentsAreSwitchedOff() throws Exception {
    String database = copy();
    fixture.execute(database, "COMMENT ON COLUMN public.settings.value IS 'YAML, not JSON'");

    SchemaFinding finding = single(diff(database, SnapshotOptions.defaults()),
        ObjectKind.COMMENT, "table column public.settings.value", Change.CHANGED, Severity.COSMETIC);
    assertThat(finding.detail()).isEqualTo("text: JSON text → YAML, not JSON");
    assertThat(finding.suggestedSql()).contains("COMMENT ON COLUMN public.settings.value IS 'JSON text';");
    assertThat(diffBoth(database, without(SnapshotOptions.defaults(), ComparedKind.COMMENTS))).isEmpty();
    assertFixBringsLiveBack(database, SnapshotOptions.defaults(), finding);
  }

  @Test
  void reportsAChangedStatisticsTargetAsPerformanceUnlessStatisticsAreSwitchedOff() throws Exception {
    String database = copy();
    fixture.execute(database, "ALTER TABLE app.orders ALTER COLUMN status SET STATISTICS 1000");

    SchemaFinding finding = single(diff(database, SnapshotOptions.defaults()),
        ObjectKind.COLUMN, "app.orders.status", Change.CHANGED, Severity.PERFORMANCE);
    assertThat(finding.detail()).isEqualTo("statistics target: default → 1000");
    assertThat(finding.suggestedSql()).contains("ALTER TABLE app.orders ALTER COLUMN status SET STATISTICS -1;");
    assertThat(diffBoth(database, without(SnapshotOptions.defaults(), ComparedKind.STATISTICS))).isEmpty();
    assertFixBringsLiveBack(database, SnapshotOptions.defaults(), finding);
  }

  @Test
  void reportsDroppedExtendedStatisticsWithTheStatementThatMakesThemAgain() throws Exception {
    String database = copy();
    fixture.execute(database, "DROP STATISTICS app.orders_customer_status");

    SchemaFinding finding = single(diff(database, SnapshotOptions.defaults()),
        ObjectKind.STATISTICS, "app.orders_customer_status", Change.MISSING, Severity.PERFORMANCE);
    assertThat(finding.suggestedSql()).contains(
        "CREATE STATISTICS app.orders_customer_status (dependencies) ON customer_id, status FROM app.orders;");
    assertThat(diffBoth(database, without(SnapshotOptions.defaults(), ComparedKind.STATISTICS))).isEmpty();
    assertFixBringsLiveBack(database, SnapshotOptions.defaults(), finding);
  }

  @Test
  void reportsChangedDefaultPrivilegesOnlyWhenCompared() throws Exception {
    String database = copy();
    fixture.execute(database, "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC");
    SnapshotOptions defaults = also(SnapshotOptions.defaults(), ComparedKind.DEFAULT_PRIVILEGES);

    assertThat(diffBoth(database, SnapshotOptions.defaults())).isEmpty();
    SchemaFinding finding = single(diffBoth(database, defaults), ObjectKind.DEFAULT_PRIVILEGES,
        "tables for role " + pg.user() + " in schema app to public", Change.UNEXPECTED, Severity.SECURITY);
    assertThat(finding.suggestedSql()).contains("ALTER DEFAULT PRIVILEGES FOR ROLE " + pg.user()
        + " IN SCHEMA app REVOKE SELECT ON TABLES FROM PUBLIC;");
    assertFixBringsLiveBack(database, defaults, finding);
  }

  @Test
  void reportsAChangedOwnerOnlyWhenCompared() throws Exception {
    fixture.execute(pg.database(), "CREATE ROLE diff_owner");
    String database = copy();
    fixture.execute(database, "ALTER TABLE app.orders OWNER TO diff_owner");
    SnapshotOptions owners = also(SnapshotOptions.defaults(), ComparedKind.OWNERS);

    assertThat(diffBoth(database, SnapshotOptions.defaults())).isEmpty();
    SchemaFinding finding = single(diffBoth(database, owners),
        ObjectKind.OWNER, "table app.orders", Change.CHANGED, Severity.SECURITY);
    assertThat(finding.detail()).isEqualTo("role: " + pg.user() + " → diff_owner");
    assertThat(finding.suggestedSql()).contains("ALTER TABLE app.orders OWNER TO " + pg.user() + ";");
    assertFixBringsLiveBack(database, owners, finding);
  }

  /** Runs the finding's fix on live: then the same comparison finds nothing. */
  private static void assertFixBringsLiveBack(String database, SnapshotOptions options, SchemaFinding finding)
      throws SQLException {
    fixture.execute(database, finding.suggestedSql().orElseThrow());
    assertThat(diffBoth(database, options)).isEmpty();
  }

  /** The expected schema and {@code database}, both snapshotted with {@code options}. */
  private static List<SchemaFinding> diffBoth(String database, SnapshotOptions options) {
    return fixture.diff(fixture.snapshot("expected", options), fixture.snapshot(database, options));
  }

  private static List<SchemaFinding> changedBy(String... statements) throws SQLException {
    String database = copy();
    fixture.execute(database, statements);
    return diff(database, SnapshotOptions.defaults());
  }

  private static List<SchemaFinding> diff(String database, SnapshotOptions options) {
    return fixture.diff(expected, fixture.snapshot(database, options));
  }

  /** A fresh copy of the expected schema to change by hand. */
  private static String copy() throws SQLException {
    String name = "actual_" + DATABASES.incrementAndGet();
    fixture.createDatabase(name, "base");
    return name;
  }

  private static SchemaFinding single(
      List<SchemaFinding> findings, ObjectKind kind, String name, Change change, Severity severity) {
    assertThat(findings).as("findings").hasSize(1);
    SchemaFinding finding = findings.get(0);
    assertThat(finding.object()).isEqualTo(new ObjectRef(kind, name));
    assertThat(finding.change()).isEqualTo(change);
    assertThat(finding.severity()).isEqualTo(severity);
    return finding;
  }
}
