package io.pgvigil.checks.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The review on a real server: a scratch database holds the "applied history" (two tables with
 * rows), then one pending migration runs on it and the findings are compared, rule by rule.
 */
@ExtendWith(PostgresExtension.class)
class PreflightReviewIT {

  private static final String HISTORY = """
      CREATE TABLE customers (id bigint PRIMARY KEY, name text);
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, email text, total numeric, note text,
        code text CONSTRAINT code_present CHECK (code IS NOT NULL));
      ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
      INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 10) g;
      INSERT INTO orders SELECT g, g, 'e' || g, g, 'n', 'x' FROM generate_series(1, 10) g;
      CREATE INDEX orders_note_idx ON orders (note);
      ALTER TABLE customers ADD COLUMN region text NOT NULL DEFAULT 'eu';
      CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
      CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      """;

  private ShadowDatabase shadow;
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void applyHistory(TestPostgres pg) throws Exception {
    shadow = Shadows.onServer(new HistoryDatabase("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/"
        + pg.database(), pg.user(), pg.password())).open(pg.major());
    try (Connection c = DriverManager.getConnection(shadow.jdbcUrl(), shadow.user(), shadow.password());
        Statement s = c.createStatement()) {
      s.execute(HISTORY);
    }
  }

  @AfterEach
  void dropShadow() {
    shadow.close();
  }

  static Stream<Arguments> risky() {
    return Stream.of(
        Arguments.of("ALTER TABLE orders ALTER COLUMN customer_id TYPE int;",
            List.of("table-rewrite", "access-exclusive-without-lock-timeout")),
        Arguments.of("ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT clock_timestamp();",
            List.of("table-rewrite", "access-exclusive-without-lock-timeout")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE orders SET UNLOGGED;", List.of("table-rewrite")),
        Arguments.of("VACUUM FULL orders;", List.of("table-rewrite")),
        Arguments.of("CREATE INDEX orders_customer_idx ON orders (customer_id);",
            List.of("index-without-concurrently")),
        Arguments.of("REINDEX TABLE orders;", List.of("reindex-without-concurrently")),
        Arguments.of("REINDEX INDEX orders_pkey;", List.of("reindex-without-concurrently")),
        // Named after the live database, not the shadow's: run on the shadow's anyway.
        Arguments.of("REINDEX DATABASE live_app;", List.of("reindex-without-concurrently",
            "reindex-without-concurrently")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE customers ADD CONSTRAINT customers_name_key UNIQUE (name);",
            List.of("index-without-concurrently")),
        Arguments.of("ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) "
            + "REFERENCES customers (id);", List.of("constraint-validates-existing-rows")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0);",
            List.of("constraint-validates-existing-rows")),
        Arguments.of("ALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
            List.of("set-not-null-scans", "access-exclusive-without-lock-timeout")),
        Arguments.of("ALTER TABLE orders ADD COLUMN shipped timestamptz;",
            List.of("access-exclusive-without-lock-timeout")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE orders DROP COLUMN note;", List.of("drop-or-rename")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE orders RENAME COLUMN note TO remark;",
            List.of("drop-or-rename")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE customers RENAME TO clients;", List.of("drop-or-rename")),
        Arguments.of("SET lock_timeout = '5s';\nDROP TABLE customers;", List.of("drop-or-rename")),
        Arguments.of("SET lock_timeout = '5s';\nTRUNCATE customers;", List.of("truncate")),
        Arguments.of("UPDATE orders SET note = 'x';", List.of("unbatched-backfill")),
        Arguments.of("DELETE FROM orders o WHERE o.total > 5;", List.of("unbatched-backfill")),
        // The backfill after the column: the table is already held in ACCESS EXCLUSIVE, the planner still names it.
        Arguments.of("ALTER TABLE orders ADD COLUMN shipped boolean;\nUPDATE orders SET shipped = false;",
            List.of("access-exclusive-without-lock-timeout", "unbatched-backfill")),
        Arguments.of("WITH old AS (SELECT id FROM orders WHERE total < 3) UPDATE orders SET note = 'old' "
            + "WHERE id IN (SELECT id FROM old);", List.of("unbatched-backfill")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE customers ALTER COLUMN region DROP NOT NULL;",
            List.of("drop-not-null")),
        Arguments.of("SET lock_timeout = '5s';\nALTER TABLE events DETACH PARTITION events_2025;",
            List.of("detach-partition-without-concurrently")),
        Arguments.of("SET lock_timeout = '5s';\nDROP INDEX orders_note_idx;",
            List.of("drop-index-without-concurrently")));
  }

  @ParameterizedTest
  @MethodSource("risky")
  void reportsWhatARiskyStatementDoes(String sql, List<String> rules) throws Exception {
    MigrationReview review = reviewOne(MigrationTool.FLYWAY, sql);

    assertThat(ruleIds(review)).as(review.toString()).containsExactlyInAnyOrderElementsOf(rules);
    Finding first = review.findings().get(0);
    assertThat(first.file()).isEqualTo("V9__pending.sql");
    assertThat(first.statement()).isEqualTo(sql.startsWith("SET") ? 2 : 1);
    assertThat(first.line()).isEqualTo(sql.startsWith("SET") ? 2 : 1);
    assertThat(first.object()).startsWith("public.");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\n"
          + "CREATE INDEX invoices_order_idx ON invoices (order_id);",
      "CREATE INDEX CONCURRENTLY orders_email_idx ON orders (email);",
      "REINDEX TABLE CONCURRENTLY orders;",
      "SET lock_timeout = '3s';\nALTER TABLE orders ADD COLUMN shipped timestamptz;",
      "SET lock_timeout = '3s';\nALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';",
      "SET lock_timeout = '3s';\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) "
          + "REFERENCES customers (id) NOT VALID;",
      "SET lock_timeout = '3s';\nALTER TABLE orders ADD CONSTRAINT positive CHECK (total > 0) NOT VALID;",
      "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;",
      "SET lock_timeout = '3s';\nALTER TABLE orders ALTER COLUMN code SET NOT NULL;",
      "INSERT INTO customers VALUES (11, 'new');",
      "CREATE TABLE audit (id bigint NOT NULL, note text);\nCREATE INDEX audit_idx ON audit (id);\n"
          + "INSERT INTO audit VALUES (1, 'a');\nUPDATE audit SET note = 'x';\nDELETE FROM audit;\nTRUNCATE audit;\n"
          + "ALTER TABLE audit ALTER COLUMN id DROP NOT NULL;\nDROP INDEX audit_idx;",
      "DROP INDEX CONCURRENTLY orders_note_idx;",
      "ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY;",
      "BEGIN;\nSET lock_timeout = '3s';\nALTER TABLE orders ADD COLUMN shipped timestamptz;\nCOMMIT;"})
  void aSafeMigrationHasNoFindings(String sql) throws Exception {
    MigrationReview review = reviewOne(MigrationTool.FLYWAY, sql);

    assertThat(review.findings()).as(review.toString()).isEmpty();
    assertThat(review.reviewed()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"FLYWAY", "PRISMA"})
  void flagsCreateIndexConcurrentlyBesideOtherStatements(MigrationTool tool) throws Exception {
    MigrationReview review = reviewOne(tool, "CREATE TABLE audit (id bigint);\n"
        + "CREATE INDEX CONCURRENTLY orders_email_idx ON orders (email);");

    assertThat(ruleIds(review)).containsExactly("concurrently-in-transaction");
    assertThat(review.findings().get(0).statement()).isEqualTo(2);
    assertThat(review.findings().get(0).message()).contains(tool == MigrationTool.PRISMA ? "Prisma" : "Flyway");
    assertThat(review.notes()).anyMatch(n -> n.contains("cannot run in a transaction"));
  }

  @Test
  void recordsTheLocksAndTheLockTimeoutAfterEachStatement() throws Exception {
    MigrationReview review = reviewOne(MigrationTool.FLYWAY,
        "ALTER TABLE orders ADD COLUMN a int;\nSET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY c_idx ON customers (name);\n"
            + "SET statement_timeout = '1min';");

    assertThat(review.statements()).hasSize(4);
    StatementRun alter = review.statements().get(0);
    assertThat(alter.locks()).containsEntry("public.orders", "ACCESS EXCLUSIVE");
    assertThat(alter.lockTimeout()).isEqualTo("0");
    assertThat(alter.transactional()).isTrue();
    assertThat(review.statements().get(1).lockTimeout()).isEqualTo("2s");
    assertThat(review.statements().get(2).transactional()).isFalse();
    assertThat(review.statements().get(2).statementTimeout()).isNull();
    assertThat(review.statements().get(3).statementTimeout()).isEqualTo("1min");
  }

  @Test
  void aFailingMigrationIsAFindingAndTheMigrationsAfterItAreNotRun() throws Exception {
    List<MigrationReview> reviews = new PreflightReview(progress::add).review(shadow, List.of(
        new PendingMigration("V9__broken.sql", "ALTER TABLE orders ADD COLUMN a int;\n\nALTER TABLE nope\n"
            + "  ADD COLUMN x int;", MigrationTool.FLYWAY),
        new PendingMigration("V10__after.sql", "CREATE INDEX ON orders (email);", MigrationTool.FLYWAY)));

    MigrationReview broken = reviews.get(0);
    Finding failure = broken.findings().stream().filter(f -> f.hazard() == Hazard.MIGRATION_FAILS).findFirst()
        .orElseThrow();
    assertThat(failure.level()).isEqualTo(Level.BLOCK);
    assertThat(failure.message()).contains("\"nope\" does not exist").contains("42P01");
    assertThat(failure.statement()).isEqualTo(2);
    assertThat(failure.line()).isEqualTo(3);
    assertThat(reviews.get(1).reviewed()).isFalse();
    assertThat(reviews.get(1).notes().get(0)).contains("V9__broken.sql fails");
    assertThat(progress).containsExactly("reviewing V9__broken.sql");
  }

  @Test
  void eachMigrationSeesThePreviousOneCommitted() throws Exception {
    List<MigrationReview> reviews = new PreflightReview(progress::add).review(shadow, List.of(
        new PendingMigration("V9__table.sql", "CREATE TABLE audit (id bigint);", MigrationTool.FLYWAY),
        new PendingMigration("V10__column.sql", "SET lock_timeout = '1s';\nALTER TABLE audit ADD COLUMN at date;",
            MigrationTool.FLYWAY)));

    assertThat(reviews).allMatch(r -> r.reviewed() && !r.failed() && r.findings().isEmpty());
    assertThat(reviews.get(1).statements().get(1).locks()).containsEntry("public.audit", "ACCESS EXCLUSIVE");
  }

  @Test
  void truncateCascadeNamesEveryTableItEmpties() throws Exception {
    List<MigrationReview> reviews = new PreflightReview(progress::add).review(shadow, List.of(
        new PendingMigration("V9__refunds.sql", "CREATE TABLE refunds (order_id bigint REFERENCES orders (id));",
            MigrationTool.FLYWAY),
        new PendingMigration("V10__empty.sql", "SET lock_timeout = '5s';\nTRUNCATE orders CASCADE;",
            MigrationTool.FLYWAY)));

    List<Finding> findings = reviews.get(1).findings();
    assertThat(findings).extracting(Finding::hazard).containsOnly(Hazard.TRUNCATE);
    assertThat(findings).extracting(Finding::table).containsExactlyInAnyOrder("public.orders", "public.refunds");
    assertThat(findings).filteredOn(f -> f.table().equals("public.orders")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("with CASCADE it also empties public.refunds"));
  }

  @Test
  void judgesTheMigrationsOwnTransactionControlByHowTheToolRunsIt() throws Exception {
    TransactionPlan one = new TransactionPlan.OneTransaction("Flyway runs it in one transaction");
    List<MigrationReview> reviews = new PreflightReview(progress::add).review(shadow, List.of(
        new PendingMigration("V9__split.sql", "BEGIN;\nCREATE TABLE a (id int);\nBEGIN;\nCREATE TABLE b (id int);\n"
            + "COMMIT;\nCREATE TABLE c (id int);\nCOMMIT;", MigrationTool.FLYWAY, one),
        new PendingMigration("V10__open.sql", "BEGIN;\nCREATE TABLE d (id int);", MigrationTool.FLYWAY,
            new TransactionPlan.NoTransaction("executeInTransaction=false")),
        new PendingMigration("V11__open_in_one.sql", "BEGIN;\nCREATE TABLE e (id int);", MigrationTool.FLYWAY, one),
        new PendingMigration("V12__detach.sql", "ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY;",
            MigrationTool.FLYWAY, one)));

    assertThat(reviews.get(0).findings()).extracting(Finding::statement, Finding::level)
        .containsExactly(tuple(3, Level.FLAG),
            tuple(5, Level.BLOCK));
    assertThat(reviews.get(0).findings()).allMatch(f -> f.hazard() == Hazard.TRANSACTION_CONTROL);
    assertThat(reviews.get(0).findings().get(1).message()).contains("COMMIT in the middle").contains("Flyway");
    assertThat(reviews.get(1).findings()).singleElement().satisfies(f -> {
      assertThat(f.hazard()).isEqualTo(Hazard.TRANSACTION_CONTROL);
      assertThat(f.level()).isEqualTo(Level.BLOCK);
      assertThat(f.message()).contains("never committed");
    });
    assertThat(reviews.get(2).findings()).isEmpty();
    // Flyway's parser does not know DETACH ... CONCURRENTLY: in its transaction PostgreSQL refuses it.
    assertThat(reviews.get(3).failed()).isTrue();
    assertThat(reviews.get(3).findings().get(0).message()).contains("25001");
  }

  @Test
  void anIgnoreCommentSuppressesItsRuleOnTheNextStatementAndABadOneIsAFinding() throws Exception {
    MigrationReview review = reviewOne(MigrationTool.FLYWAY, """
        SET lock_timeout = '5s';
        -- the cache is rebuilt on start
        -- pgvigil:ignore truncate cache table, rebuilt on start

        TRUNCATE customers;
        -- pgvigil:ignore drop-index-without-concurrently
        DROP INDEX orders_note_idx;
        -- pgvigil:ignore tabel-rewrite a typo
        ALTER TABLE customers ALTER COLUMN region DROP NOT NULL;
        -- pgvigil:ignroe drop-or-rename nothing
        -- pgvigil:ignore drop-or-rename not dropped here
        ALTER TABLE orders ADD COLUMN x int;
        """);

    assertThat(review.findings()).filteredOn(f -> f.hazard() == Hazard.TRUNCATE).singleElement()
        .satisfies(f -> assertThat(f.suppression()).isEqualTo("cache table, rebuilt on start"));
    assertThat(review.findings()).filteredOn(f -> f.hazard() != Hazard.TRUNCATE).allMatch(f -> !f.suppressed());
    assertThat(review.findings()).filteredOn(f -> f.hazard() == Hazard.INVALID_SUPPRESSION)
        .extracting(Finding::line).containsExactly(6, 8, 10);
    assertThat(review.findings()).filteredOn(f -> f.hazard() == Hazard.INVALID_SUPPRESSION)
        .extracting(Finding::message).anyMatch(m -> m.contains("gives no reason"))
        .anyMatch(m -> m.contains("'tabel-rewrite'")).anyMatch(m -> m.contains("no pgvigil directive"));
    assertThat(ruleIds(review)).contains("drop-index-without-concurrently", "drop-not-null");
    assertThat(review.notes()).anyMatch(n -> n.contains("line 11: pgvigil:ignore drop-or-rename matches no finding"));
  }

  @Test
  void aFailingMigrationStaysAFailureWhenItsFileIgnoresIt() throws Exception {
    List<MigrationReview> reviews = new PreflightReview(progress::add).review(shadow, List.of(
        new PendingMigration("V9__extension.sql", "-- pgvigil:ignore migration-fails no such extension on the shadow\n"
            + "CREATE EXTENSION no_such_extension;\n", MigrationTool.FLYWAY),
        new PendingMigration("V10__after.sql", "TRUNCATE customers;\n", MigrationTool.FLYWAY)));

    assertThat(reviews.get(0).findings()).noneMatch(Finding::suppressed).extracting(Finding::hazard)
        .contains(Hazard.MIGRATION_FAILS, Hazard.INVALID_SUPPRESSION);
    assertThat(reviews.get(1).reviewed()).isFalse();
  }

  private MigrationReview reviewOne(MigrationTool tool, String sql) throws Exception {
    return new PreflightReview(progress::add).review(shadow,
        List.of(new PendingMigration("V9__pending.sql", sql, tool))).get(0);
  }

  private static List<String> ruleIds(MigrationReview review) {
    return review.findings().stream().map(f -> f.hazard().id()).toList();
  }
}
