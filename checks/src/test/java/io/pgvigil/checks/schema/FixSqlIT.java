package io.pgvigil.checks.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.shadow.SqlScript;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fix works: each drift is made by hand on a copy of the expected schema, compared, and then
 * <ul>
 *   <li>the suggested statements, run one by one on the drifted copy, leave no finding (or the finding says there is
 *       no safe automatic fix, where that is the right answer);</li>
 *   <li>the other way round, the statements {@link FixStyle#MIGRATION} suggests for turning the expected schema into
 *       the drifted one (what {@code drift --emit-migration} writes), run on a fresh copy of the expected schema,
 *       make it match the drifted one.</li>
 * </ul>
 * One server, one expected snapshot, every database a copy of one template.
 */
@ExtendWith(PostgresExtension.class)
class FixSqlIT {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  static TestPostgres pg;
  static SchemaFixture fixture;
  static SchemaSnapshot expected;

  /** A hand change; {@code fixable}: live can be brought back; {@code adoptable}: a migration can make it. */
  record Drift(String name, List<String> statements, boolean fixable, boolean adoptable) {

    static Drift of(String name, String... statements) {
      return new Drift(name, List.of(statements), true, true);
    }

    Drift notFixable() {
      return new Drift(name, statements, false, adoptable);
    }

    Drift notAdoptable() {
      return new Drift(name, statements, fixable, false);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Drift> drifts() {
    return Stream.of(
        Drift.of("extra index", "CREATE INDEX orders_status_idx ON app.orders (status)",
            "COMMENT ON INDEX app.orders_status_idx IS 'hot'"),
        Drift.of("missing index", "DROP INDEX app.orders_open_idx"),
        Drift.of("changed index", "DROP INDEX app.orders_lower_note_idx",
            "CREATE INDEX orders_lower_note_idx ON app.orders (lower(note))"),
        Drift.of("missing unique index", "DROP INDEX app.customers_external_ref_uq"),
        Drift.of("extra index on a partitioned table",
            "CREATE INDEX events_occurred_idx ON audit.events (occurred_at)"),
        Drift.of("changed default", "ALTER TABLE app.orders ALTER COLUMN status SET DEFAULT 'paid'"),
        Drift.of("dropped NOT NULL", "ALTER TABLE app.orders ALTER COLUMN ordered_at DROP NOT NULL"),
        Drift.of("changed column type", "ALTER TABLE app.order_lines ALTER COLUMN sku TYPE varchar(80)"),
        Drift.of("changed column type and default", "ALTER TABLE public.notes ALTER COLUMN valid_for DROP DEFAULT, "
            + "ALTER COLUMN valid_for TYPE text, ALTER COLUMN valid_for SET DEFAULT 'soon'"),
        Drift.of("extra column", "ALTER TABLE app.orders ADD COLUMN coupon text DEFAULT 'none' NOT NULL"),
        Drift.of("missing column", "ALTER TABLE public.settings DROP COLUMN updated_by"),
        Drift.of("extra serial column", "ALTER TABLE public.settings ADD COLUMN version serial"),
        Drift.of("identity dropped", "ALTER TABLE app.customers ALTER COLUMN id DROP IDENTITY").notFixable()
            .notAdoptable(),
        Drift.of("missing CHECK", "ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_quantity_check"),
        Drift.of("missing FOREIGN KEY", "ALTER TABLE app.orders DROP CONSTRAINT orders_customer_id_fkey"),
        Drift.of("missing primary key", "ALTER TABLE public.settings DROP CONSTRAINT settings_pkey"),
        Drift.of("extra CHECK", "ALTER TABLE app.orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0)"),
        Drift.of("constraint left NOT VALID", "ALTER TABLE app.orders DROP CONSTRAINT orders_note_length, "
            + "ADD CONSTRAINT orders_note_length CHECK (char_length(note) <= 500) NOT VALID"),
        Drift.of("changed FOREIGN KEY action", "ALTER TABLE app.orders DROP CONSTRAINT orders_customer_id_fkey, "
            + "ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES app.customers (id) "
            + "ON DELETE CASCADE"),
        Drift.of("row level security disabled", "ALTER TABLE app.orders DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE app.orders NO FORCE ROW LEVEL SECURITY"),
        Drift.of("changed storage parameters", "ALTER TABLE audit.scratch SET (fillfactor = 50)",
            "ALTER TABLE audit.scratch RESET (autovacuum_enabled)"),
        Drift.of("changed replica identity", "ALTER TABLE audit.bookings REPLICA IDENTITY DEFAULT"),
        Drift.of("primary key index options and replica identity", "ALTER INDEX public.settings_pkey SET "
            + "(fillfactor = 50)", "ALTER TABLE public.settings REPLICA IDENTITY USING INDEX settings_pkey"),
        Drift.of("table logged", "ALTER TABLE audit.scratch SET LOGGED"),
        Drift.of("changed policy", "ALTER POLICY orders_tenant ON app.orders USING (true)"),
        Drift.of("missing policy", "DROP POLICY orders_insert ON app.orders"),
        Drift.of("extra policy", "CREATE POLICY orders_all ON app.orders FOR SELECT TO PUBLIC USING (true)"),
        Drift.of("policy made permissive", "DROP POLICY orders_insert ON app.orders",
            "CREATE POLICY orders_insert ON app.orders FOR INSERT WITH CHECK (tenant_id > 0)"),
        Drift.of("SECURITY DEFINER added", "ALTER FUNCTION app.order_count() SECURITY DEFINER"),
        Drift.of("changed function body", "CREATE OR REPLACE FUNCTION app.double_it(a integer) RETURNS integer "
            + "LANGUAGE sql IMMUTABLE RETURN a * 3"),
        Drift.of("changed function result", "DROP FUNCTION app.order_count()",
            "CREATE FUNCTION app.order_count() RETURNS integer LANGUAGE sql STABLE AS $$ SELECT 1 $$"),
        Drift.of("extra function", "CREATE FUNCTION public.add_one(x integer) RETURNS integer LANGUAGE sql "
            + "AS $$ SELECT x + 1 $$"),
        Drift.of("renamed function parameter", "DROP FUNCTION app.double_it(integer)", "CREATE FUNCTION "
            + "app.double_it(b integer) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN b * 2"),
        Drift.of("missing function", "DROP FUNCTION app.double_it(integer)"),
        Drift.of("missing procedure", "DROP PROCEDURE app.archive_orders(timestamptz)"),
        Drift.of("missing aggregate", "DROP AGGREGATE app.concat_all(text)").notFixable(),
        Drift.of("changed view",
            "CREATE OR REPLACE VIEW app.open_orders WITH (security_barrier = true) AS SELECT o.id, o.number, c.email "
                + "FROM app.orders o JOIN app.customers c ON c.id = o.customer_id WHERE o.status = 'pending'"),
        Drift.of("view options", "ALTER VIEW app.open_orders RESET (security_barrier)"),
        Drift.of("missing view", "DROP VIEW app.open_orders"),
        Drift.of("extra view", "CREATE VIEW public.setting_keys AS SELECT key FROM public.settings",
            "COMMENT ON VIEW public.setting_keys IS 'keys'"),
        Drift.of("extra view over a later-named view, function over an extra table", "CREATE TABLE public.xtab "
            + "(id int)",
            "CREATE FUNCTION public.count_x() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM "
                + "public.xtab $$",
            "CREATE VIEW public.zz_keys AS SELECT key FROM public.settings",
            "CREATE VIEW public.aa_keys AS SELECT key FROM public.zz_keys"),
        Drift.of("missing materialized view", "DROP MATERIALIZED VIEW app.daily_sales"),
        Drift.of("extra materialized view", "CREATE MATERIALIZED VIEW public.setting_count AS "
            + "SELECT count(*) AS n FROM public.settings"),
        Drift.of("disabled trigger", "ALTER TABLE app.orders DISABLE TRIGGER orders_touch"),
        Drift.of("missing trigger", "DROP TRIGGER orders_touch ON app.orders"),
        Drift.of("changed trigger", "DROP TRIGGER orders_touch ON app.orders", "CREATE TRIGGER orders_touch "
            + "BEFORE UPDATE OF note ON app.orders FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at()"),
        Drift.of("extra trigger", "CREATE TRIGGER customers_touch BEFORE UPDATE ON app.customers FOR EACH ROW "
            + "EXECUTE FUNCTION app.touch_updated_at()"),
        Drift.of("extra enum label", "ALTER TYPE app.order_status ADD VALUE 'refunded' AFTER 'paid'").notFixable(),
        Drift.of("extra enum", "CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy')"),
        Drift.of("changed domain", "ALTER DOMAIN app.positive_amount DROP DEFAULT",
            "ALTER DOMAIN app.positive_amount DROP CONSTRAINT positive",
            "ALTER DOMAIN app.positive_amount ADD CONSTRAINT small CHECK (VALUE < 1000000)"),
        Drift.of("extra domain", "CREATE DOMAIN public.short_text AS text CHECK (length(VALUE) < 10)"),
        Drift.of("changed composite type", "ALTER TYPE app.address ADD ATTRIBUTE country text").notFixable()
            .notAdoptable(),
        Drift.of("extra range type", "CREATE TYPE public.float_range AS RANGE (subtype = float8)"),
        Drift.of("changed sequence", "ALTER SEQUENCE public.invoice_number_seq INCREMENT BY 10 NO CYCLE"),
        Drift.of("missing sequence", "DROP SEQUENCE public.invoice_number_seq"),
        Drift.of("extra sequence", "CREATE SEQUENCE public.ticket_seq START WITH 7"),
        Drift.of("extra table", "CREATE TABLE public.imports (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            + "payload text NOT NULL, at timestamptz DEFAULT now())",
            "CREATE INDEX imports_payload_idx ON public.imports (payload)",
            "COMMENT ON COLUMN public.imports.payload IS 'raw'"),
        Drift.of("missing table", "DROP TABLE app.order_lines"),
        Drift.of("missing partitioned table", "DROP TABLE audit.events CASCADE"),
        Drift.of("missing partition", "ALTER TABLE audit.event_notes DROP CONSTRAINT "
            + "event_notes_event_id_occurred_at_fkey", "DROP TABLE audit.events_2025"),
        Drift.of("extra schema", "CREATE SCHEMA scratch", "CREATE TABLE scratch.t (id int PRIMARY KEY)"),
        Drift.of("missing schema", "DROP SCHEMA audit CASCADE"),
        Drift.of("extra extension", "CREATE EXTENSION hstore SCHEMA public"),
        Drift.of("updated extension", "ALTER EXTENSION citext UPDATE TO '1.6'").notFixable().notAdoptable(),
        Drift.of("dropped statistics", "DROP STATISTICS app.orders_customer_status"),
        Drift.of("changed comment", "COMMENT ON COLUMN public.settings.value IS 'YAML, not JSON'"));
  }

  @BeforeAll
  static void createTheExpectedSchema() throws Exception {
    fixture = new SchemaFixture(pg);
    fixture.createDatabase("base", null);
    fixture.apply("base", null, SchemaFixture.chunks());
    expected = snapshot("base");
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  /**
   * On one copy: the drift made, the fix run (back to the expected schema), then the migration run (forward to the
   * drifted schema again). A drift without a fix gets a copy of its own for the migration.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("drifts")
  void fixesBringLiveBackAndMigrationsMakeTheHistoryProduceLive(Drift drift) throws Exception {
    String live = copy();
    fixture.execute(live, drift.statements().toArray(String[]::new));
    SchemaSnapshot drifted = snapshot(live);
    List<SchemaFinding> findings = new SchemaDiff().compare(expected, drifted);
    List<SchemaFinding> adopt = new SchemaDiff(FixStyle.MIGRATION).compare(drifted, expected);
    assertThat(findings).as("findings").isNotEmpty();
    findings.forEach(f -> assertThat(f.suggestedSql().isPresent() != f.manualFix().isPresent())
        .as("either SQL or a manual fix: " + f).isTrue());

    String replayed = live;
    if (drift.fixable()) {
      assertThat(findings).allMatch(f -> f.suggestedSql().isPresent(), "every finding has SQL");
      for (SchemaFinding finding : findings) {
        run(live, finding.suggestedSql().orElseThrow());
      }
      assertThat(new SchemaDiff().compare(expected, snapshot(live))).as("after the fix").isEmpty();
    } else {
      assertThat(findings).anyMatch(f -> f.manualFix().orElse("").startsWith("no safe automatic fix: "));
      replayed = copy();
    }

    if (!drift.adoptable()) {
      assertThat(adopt).anyMatch(f -> f.manualFix().isPresent());
      return;
    }
    assertThat(adopt).allMatch(f -> f.suggestedSql().isPresent(), "every finding has SQL");
    // A migration file: one transaction, the statements in the order emit-migration writes them.
    String migration = String.join("\n", MigrationSql.ordered(adopt));
    assertThat(migration).doesNotContain("CONCURRENTLY");
    fixture.execute(replayed, "BEGIN;\n" + migration + "\nCOMMIT;");
    assertThat(new SchemaDiff().compare(drifted, snapshot(replayed))).as("history + migration vs live:\n" + migration)
        .isEmpty();
  }

  @Test
  void anInvalidUniqueIndexGetsTheDuplicatesQueryAndTheRebuildNotAReindex() throws Exception {
    String live = copy();
    fixture.execute(live, "DROP INDEX app.customers_external_ref_uq",
        "INSERT INTO app.customers (email, name, external_ref) VALUES ('a@example.com', 'a', 'dup'), "
            + "('b@example.com', 'b', 'dup'), ('c@example.com', 'c', NULL), ('d@example.com', 'd', NULL)");
    assertThatThrownBy(() -> fixture.execute(live, "CREATE UNIQUE INDEX CONCURRENTLY customers_external_ref_uq "
        + "ON app.customers (external_ref) WHERE external_ref IS NOT NULL")).isInstanceOf(SQLException.class);

    SchemaSnapshot drifted = snapshot(live);
    List<SchemaFinding> findings = new SchemaDiff().compare(expected, drifted);
    assertThat(findings).hasSize(1);
    // Never adopted into a migration: it would be built valid there, or fail on the duplicates.
    assertThat(new SchemaDiff(FixStyle.MIGRATION).compare(drifted, expected))
        .singleElement().satisfies(f -> assertThat(f.suggestedSql()).isEmpty());
    SchemaFinding finding = findings.get(0);
    assertThat(finding.severity()).isEqualTo(Severity.INTEGRITY);
    assertThat(finding.detail()).isEqualTo("INVALID (expected valid)");
    assertThat(finding.suggestedSql()).isEmpty();
    String manual = finding.manualFix().orElseThrow();
    assertThat(manual).startsWith("no safe automatic fix: ").contains("duplicate").doesNotContain("REINDEX INDEX");
    List<String> sql = manual.lines().map(String::strip)
        .filter(l -> l.startsWith("SELECT ") || l.startsWith("DROP ") || l.startsWith("CREATE ")).toList();
    assertThat(sql).hasSize(3);

    try (Connection c = connect(live);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(
            sql.get(0).substring(0, sql.get(0).length() - 1))) {
      assertThat(rows.next()).as("the duplicate key is found").isTrue();
      assertThat(rows.getString(1)).isEqualTo("dup");
      assertThat(rows.getLong("copies")).isEqualTo(2);
      assertThat(rows.next()).as("NULL keys are no duplicates").isFalse();
    }
    fixture.execute(live, "DELETE FROM app.customers WHERE email = 'b@example.com'");
    run(live, sql.get(1) + "\n" + sql.get(2));
    assertThat(new SchemaDiff().compare(expected, snapshot(live))).isEmpty();
  }

  @Test
  void narrowingAColumnFailsOnAValueTooLongInsteadOfTruncatingIt() throws Exception {
    String live = copy();
    fixture.execute(live, "ALTER TABLE app.order_lines ALTER COLUMN sku TYPE varchar(80)",
        "SET session_replication_role = replica; INSERT INTO app.order_lines VALUES (1, 1, repeat('x', 60), 1, 1)");
    List<SchemaFinding> findings = new SchemaDiff().compare(expected, snapshot(live));
    assertThat(findings).hasSize(1);
    assertThatThrownBy(() -> run(live, findings.get(0).suggestedSql().orElseThrow()))
        .isInstanceOf(SQLException.class).hasMessageContaining("value too long");
    try (Connection c = connect(live);
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery("SELECT length(sku) FROM app.order_lines")) {
      assertThat(rows.next()).isTrue();
      assertThat(rows.getInt(1)).as("the value is kept whole").isEqualTo(60);
    }
  }

  @Test
  void aTypeChangeThatShiftsValuesIsMarkedDestructiveWithItsReason() throws Exception {
    String live = copy();
    fixture.execute(live, "ALTER TABLE app.orders ALTER COLUMN updated_at TYPE timestamp");
    List<SchemaFinding> findings = new SchemaDiff().compare(expected, snapshot(live));
    assertThat(findings).isNotEmpty().allSatisfy(f -> assertThat(f.suggestedSql()).isPresent());
    String sql = String.join("\n", findings.stream().map(f -> f.suggestedSql().orElseThrow()).toList());
    assertThat(sql).contains("-- DESTRUCTIVE: timestamp without time zone to timestamp with time zone: converts");
    run(live, sql);
    assertThat(new SchemaDiff().compare(expected, snapshot(live))).isEmpty();
  }

  @Test
  void aChangedParameterDefaultIsReplacedNotDropped() throws Exception {
    String function = "FUNCTION app.double_it(a integer DEFAULT %d) RETURNS integer LANGUAGE sql IMMUTABLE "
        + "PARALLEL SAFE RETURN a * 2";
    String withDefault = copy();
    fixture.execute(withDefault, "CREATE OR REPLACE " + function.formatted(1));
    SchemaSnapshot defaulted = snapshot(withDefault);
    String live = copy();
    fixture.execute(live, "CREATE OR REPLACE " + function.formatted(2));
    List<SchemaFinding> findings = new SchemaDiff().compare(defaulted, snapshot(live));
    assertThat(findings).hasSize(1);
    String sql = findings.get(0).suggestedSql().orElseThrow();
    assertThat(sql).startsWith("CREATE OR REPLACE FUNCTION app.double_it(a integer DEFAULT 1)").doesNotContain("DROP");
    run(live, sql);
    assertThat(new SchemaDiff().compare(defaulted, snapshot(live))).isEmpty();
  }

  @Test
  void aForeignKeyOnAPartitionedTableIsAddedValidatedBeforePostgres18() throws Exception {
    String withKey = copy();
    fixture.execute(withKey, "ALTER TABLE audit.events ADD CONSTRAINT events_kind_fkey FOREIGN KEY (kind) "
        + "REFERENCES public.settings (key)");
    SchemaSnapshot keyed = snapshot(withKey);
    String live = copy();
    List<SchemaFinding> findings = new SchemaDiff().compare(keyed, expected);
    assertThat(findings).isNotEmpty().allMatch(f -> f.suggestedSql().isPresent());
    for (SchemaFinding finding : findings) {
      run(live, finding.suggestedSql().orElseThrow());
    }
    assertThat(new SchemaDiff().compare(keyed, snapshot(live))).isEmpty();
  }

  /** Each statement on its own, as a person pastes them (CONCURRENTLY cannot run in a transaction block). */
  private static void run(String database, String sql) throws SQLException {
    List<String> statements = new ArrayList<>();
    SqlScript.parse(sql).parts().forEach(part -> statements.add(part.text()));
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database,
        pg.user(), pg.password());
  }

  /** On one connection: the schema is small, and a 2-core CI machine gains nothing from three. */
  private static SchemaSnapshot snapshot(String database) {
    return fixture.snapshot(database, SnapshotOptions.defaults().withParallelism(1));
  }

  private static String copy() throws SQLException {
    String name = "fix_" + DATABASES.incrementAndGet();
    fixture.createDatabase(name, "base");
    return name;
  }
}
