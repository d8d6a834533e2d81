package io.pgvigil.checks.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pgvigil.checks.history.HistoryDatabase;
import io.pgvigil.checks.history.MigrationSource;
import io.pgvigil.checks.history.MigrationTool;
import io.pgvigil.checks.shadow.ShadowDatabase;
import io.pgvigil.checks.shadow.Shadows;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The review agrees with a real {@code flyway migrate}: for each scenario one pending V2 (and
 * maybe its {@code .sql.conf}) is reviewed on a shadow holding V1, and the same files are
 * migrated by Flyway on a scratch database; the review says {@code migration-fails} exactly when
 * Flyway fails.
 */
@ExtendWith(PostgresExtension.class)
class FlywayTransactionsIT {

  private static final String V1 = """
      CREATE TABLE orders (id bigint PRIMARY KEY, email text);
      CREATE INDEX orders_email_idx ON orders (email);
      INSERT INTO orders SELECT g, 'e' || g FROM generate_series(1, 10) g;
      CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
      CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      """;

  @TempDir
  Path location;

  static Stream<Arguments> scenarios() {
    String reindexConcurrently = "REINDEX TABLE CONCURRENTLY orders;\n";
    String mix =
        "CREATE TABLE audit (id bigint);\nCREATE INDEX CONCURRENTLY orders_id_email_idx ON orders (id, email);\n";
    String noTransaction = "executeInTransaction=false\n";
    String detachConcurrently = "ALTER TABLE events DETACH PARTITION events_2025 CONCURRENTLY;\n";
    return Stream.of(
        // Nor DETACH PARTITION CONCURRENTLY, which PostgreSQL refuses in a transaction too.
        Arguments.of("detach concurrently alone", detachConcurrently, null, false, false, List.of("migration-fails"),
            "where PostgreSQL refuses ALTER TABLE: ALTER TABLE ... DETACH CONCURRENTLY cannot run inside a "
                + "transaction block (SQLSTATE 25001)"),
        Arguments.of("detach concurrently, .sql.conf without transaction", detachConcurrently, noTransaction, false,
            true, List.of(), null),
        Arguments.of("detach", "ALTER TABLE events DETACH PARTITION events_2025;\n", null, false, true,
            List.of("detach-partition-without-concurrently", "access-exclusive-without-lock-timeout"), null),
        // Flyway 13's parser does not know REINDEX TABLE CONCURRENTLY: it runs it in a transaction.
        Arguments.of("reindex concurrently alone", reindexConcurrently, null, false, false,
            List.of("migration-fails"), "Flyway runs it in one transaction (its parser marks none of its statements "
                + "non-transactional, and no .sql.conf says executeInTransaction=false), where PostgreSQL refuses "
                + "REINDEX TABLE CONCURRENTLY: REINDEX CONCURRENTLY cannot run inside a transaction block "
                + "(SQLSTATE 25001)"),
        Arguments.of("reindex concurrently, .sql.conf without transaction", reindexConcurrently, noTransaction,
            false, true, List.of(), null),
        Arguments.of("reindex index concurrently alone", "REINDEX INDEX CONCURRENTLY orders_email_idx;\n", null, false,
            false, List.of("migration-fails"), "(SQLSTATE 25001)"),
        Arguments.of("reindex table", "REINDEX TABLE orders;\n", null, false, true,
            List.of("reindex-without-concurrently"), null),
        Arguments.of("reindex index", "REINDEX INDEX orders_email_idx;\n", null, false, true,
            List.of("reindex-without-concurrently"), null),
        // Flyway knows REINDEX SCHEMA: no transaction, each table in its own.
        Arguments.of("reindex schema", "REINDEX SCHEMA public;\n", null, false, true,
            List.of("reindex-without-concurrently"), null),
        Arguments.of("create index concurrently alone", "CREATE INDEX CONCURRENTLY orders_id_email_idx ON orders "
            + "(id, email);\n", null, false, true, List.of(), null),
        Arguments.of("mixed, mixed false", mix, null, false, false, List.of("migration-fails"),
            "Flyway refuses to run it: Detected both transactional and non-transactional statements"),
        Arguments.of("mixed, mixed true", mix, null, true, true, List.of("concurrently-in-transaction"), null),
        Arguments.of("mixed, .sql.conf without transaction", mix, noTransaction, false, true,
            List.of("concurrently-in-transaction"), null),
        Arguments.of("create index concurrently, .sql.conf with transaction", "CREATE INDEX CONCURRENTLY "
            + "orders_id_email_idx ON orders (id, email);\n", "executeInTransaction=true\n", false, false,
            List.of("migration-fails"), "Flyway runs it in one transaction (its .sql.conf says "
                + "executeInTransaction=true), where PostgreSQL refuses CREATE INDEX CONCURRENTLY"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theReviewFailsAMigrationExactlyWhenFlywayDoes(String scenario, String v2, String conf, boolean mixed,
      boolean flywaySucceeds, List<String> rules, String failure, TestPostgres pg) throws Exception {
    Files.writeString(location.resolve("V1__orders.sql"), V1);
    Files.writeString(location.resolve("V2__pending.sql"), v2);
    if (conf != null) {
      Files.writeString(location.resolve("V2__pending.sql.conf"), conf);
    }
    HistoryDatabase admin = new HistoryDatabase("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/"
        + pg.database(), pg.user(), pg.password());

    Throwable deploy;
    try (ShadowDatabase scratch = Shadows.onServer(admin).open(pg.major())) {
      deploy = catchThrowable(() -> flyway(scratch, mixed).load().migrate());
    }
    MigrationReview review;
    try (ShadowDatabase shadow = Shadows.onServer(admin).open(pg.major())) {
      flyway(shadow, mixed).target("1").load().migrate();
      Map<String, TransactionPlan> plans = new FlywayTransactions(mixed).plan(shadow,
          new MigrationSource.Flyway(List.of(location), null, List.of(), false),
          List.of("V2__pending.sql"));
      review = new PreflightReview(line -> {}).review(shadow, List.of(new PendingMigration("V2__pending.sql", v2,
          MigrationTool.FLYWAY, plans.get("V2__pending.sql")))).get(0);
    }

    assertThat(deploy == null).as("flyway migrate succeeds: " + deploy).isEqualTo(flywaySucceeds);
    assertThat(review.failed()).as(review.toString()).isEqualTo(!flywaySucceeds);
    assertThat(review.findings().stream().map(f -> f.hazard().id()).distinct().toList()).as(review.toString())
        .containsExactlyInAnyOrderElementsOf(rules);
    if (failure != null) {
      assertThat(review.findings().get(0).message()).contains(failure);
    }
    // Located at the statement Flyway or PostgreSQL refuses (the CREATE INDEX of a mix is the second).
    assertThat(review.findings()).allMatch(f -> f.statement() == (v2.startsWith("CREATE TABLE") ? 2 : 1));
  }

  /** As a deploy would run it, but for the advisory lock: Flyway's default one makes CONCURRENTLY wait forever. */
  private FluentConfiguration flyway(ShadowDatabase db, boolean mixed) {
    FluentConfiguration configuration = Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("filesystem:" + location).mixed(mixed).connectRetries(0);
    configuration.getConfigurationExtension(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
    return configuration;
  }
}
