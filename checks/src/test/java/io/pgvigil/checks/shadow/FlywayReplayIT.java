package io.pgvigil.checks.shadow;

import static io.pgvigil.checks.shadow.ShadowFixtures.query;
import static io.pgvigil.checks.shadow.ShadowFixtures.tableExists;
import static io.pgvigil.checks.shadow.ShadowFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.history.MigrationSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class FlywayReplayIT extends ReplayOnShadow {

  private static final Logger LOG = LoggerFactory.getLogger(FlywayReplayIT.class);

  @TempDir
  Path migrations;

  private MigrationSource.Flyway source() {
    return new MigrationSource.Flyway(List.of(migrations), "flyway_schema_history",
        List.of("public"), false);
  }

  @Test
  void appliesExactlyTheAppliedScriptsNotThePendingOnes() throws Exception {
    write(migrations, "V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);");
    write(migrations, "V2__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY);");
    write(migrations, "V3__pending.sql", "CREATE TABLE pending (id bigint PRIMARY KEY);");

    assertThat(replay.replay(shadow, source(), List.of("V1__orders.sql", "V2__customers.sql"))).isEqualTo(2);

    assertThat(tableExists(shadow, "public.orders")).isTrue();
    assertThat(tableExists(shadow, "public.customers")).isTrue();
    assertThat(tableExists(shadow, "public.pending")).isFalse();
  }

  @Test
  void replaysTenMigrationsWithDottedVersionsAndSubdirectories() throws Exception {
    for (int i = 1; i <= 10; i++) {
      write(migrations, "part" + (i % 3) + "/V1_" + i + "__t" + i + ".sql",
          "CREATE TABLE t" + i + " (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE INDEX ON t" + i + " (name);");
    }
    List<String> scripts = new java.util.ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      scripts.add("part" + (i % 3) + "/V1_" + i + "__t" + i + ".sql");
    }
    long begin = System.nanoTime();
    assertThat(replay.replay(shadow, source(), scripts)).isEqualTo(10);
    LOG.info("replayed 10 Flyway migrations in {} ms", (System.nanoTime() - begin) / 1_000_000);
    assertThat(query(shadow, "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname ~ '^t[0-9]+$'"))
        .isEqualTo("10");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void replaysCreateIndexConcurrentlyWithoutWaitingForItsOwnLock() throws Exception {
    // With postgresql.transactional.lock=true this waits forever (flyway/flyway#3497, #3854).
    write(migrations, "V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, customer bigint);");
    write(migrations, "V2__index.sql", "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer);");

    replay.replay(shadow, source(), List.of("V1__orders.sql", "V2__index.sql"));

    assertThat(
        query(shadow, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.orders_customer_idx'::regclass"))
        .isEqualTo("t");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void honoursASqlConfThatTurnsTheTransactionOff() throws Exception {
    write(migrations, "V1__enum.sql", "CREATE TYPE mood AS ENUM ('sad');");
    // ALTER TYPE ... ADD VALUE then using the value fails inside one transaction (55P04).
    write(migrations, "V2__add_value.sql",
        "ALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE m (x mood DEFAULT 'happy');");
    write(migrations, "V2__add_value.sql.conf", "executeInTransaction=false\n");

    replay.replay(shadow, source(), List.of("V1__enum.sql", "V2__add_value.sql"));

    assertThat(query(shadow, "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum"
        + " WHERE enumtypid = 'public.mood'::regtype")).isEqualTo("sad,happy");
    assertThat(tableExists(shadow, "public.m")).isTrue();
  }

  @Test
  void withoutTheSqlConfTheSameScriptFailsInOneTransaction() throws Exception {
    // Proves that the test above depends on the .sql.conf being honoured.
    write(migrations, "V1__enum.sql", "CREATE TYPE mood AS ENUM ('sad');");
    write(migrations, "V2__add_value.sql",
        "ALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE m (x mood DEFAULT 'happy');");

    assertThatThrownBy(() -> replay.replay(shadow, source(), List.of("V1__enum.sql", "V2__add_value.sql")))
        .isInstanceOfSatisfying(ReplayException.class, e -> {
          assertThat(e.getMessage()).endsWith("(SQLSTATE 55P04)");
          assertThat(e.getMessage()).startsWith("replaying V2__add_value.sql ");
        });
  }

  @Test
  void appliesARepeatableWhereLiveLastAppliedIt() throws Exception {
    write(migrations, "V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);");
    write(migrations, "V2__pending.sql", "ALTER TABLE orders ADD COLUMN pending int;");
    write(migrations, "R__order_totals.sql",
        "CREATE OR REPLACE VIEW order_totals AS SELECT sum(total) AS total FROM orders;");

    replay.replay(shadow, source(), List.of("V1__orders.sql", "R__order_totals.sql"));

    assertThat(tableExists(shadow, "public.order_totals")).isTrue();
    assertThat(query(shadow, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.orders'::regclass"
        + " AND attname = 'pending'")).isEqualTo("0");
  }

  @Test
  void appliesOnlyRepeatablesWhenNoVersionIsApplied() throws Exception {
    write(migrations, "V1__pending.sql", "CREATE TABLE pending (id int);");
    write(migrations, "R__fn.sql", "CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;");

    replay.replay(shadow, source(), List.of("R__fn.sql"));

    assertThat(query(shadow, "SELECT to_regprocedure('public.one()') IS NOT NULL")).isEqualTo("t");
    assertThat(tableExists(shadow, "public.pending")).isFalse();
  }

  @Test
  void createsTheHistorySchemaAndTableWhereLiveHasThem() throws Exception {
    write(migrations, "V1__t.sql", "CREATE TABLE t (id int);");
    MigrationSource.Flyway source =
        new MigrationSource.Flyway(List.of(migrations), "history", List.of("app", "public"), false);

    replay.replay(shadow, source, List.of("V1__t.sql"));

    assertThat(tableExists(shadow, "app.history")).isTrue();
    assertThat(tableExists(shadow, "app.t")).isTrue();
  }

  @Test
  void replaysAnAppliedFileEditedSinceAsItIsNow() throws Exception {
    write(migrations, "V1__t.sql", "CREATE TABLE t (id int);");
    replay.replay(shadow, source(), List.of("V1__t.sql"));
    // A second replay with an edited file: validateOnMigrate is off, so no checksum mismatch.
    try (ShadowDatabase again = Shadows.onServer(new io.pgvigil.checks.history.HistoryDatabase(
        "jdbc:postgresql://" + shadow.host() + ":" + shadow.port() + "/" + shadow.database(), shadow.user(),
        shadow.password())).open(shadow.major())) {
      write(migrations, "V1__t.sql", "CREATE TABLE t (id int, edited text);");
      replay.replay(again, source(), List.of("V1__t.sql"));
      assertThat(query(again, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.t'::regclass"
          + " AND attname = 'edited'")).isEqualTo("1");
    }
  }

  @Test
  void aFailedStatementIsReportedWithFileStatementAndSqlState() throws Exception {
    write(migrations, "V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);");
    write(migrations, "V7__add_index.sql", "-- index for the lookup\nCREATE TABLE other (id int);\n\n"
        + "CREATE INDEX lookup_idx\n  ON order_lines (order_id);\n");

    assertThatThrownBy(() -> replay.replay(shadow, source(), List.of("V1__orders.sql", "V7__add_index.sql")))
        .isInstanceOfSatisfying(ReplayException.class, e -> {
          LOG.info("Flyway replay failure: {}", e.getMessage());
          assertThat(e.getMessage()).isEqualTo("replaying V7__add_index.sql (line 4) failed at"
              + " \"CREATE INDEX lookup_idx ON order_lines (order_id)\": relation \"order_lines\" does not exist"
              + " (SQLSTATE 42P01)");
          assertThat(e.getMessage()).startsWith("replaying V7__add_index.sql (line 4) ")
              .endsWith("(SQLSTATE 42P01)");
        });
  }

  @Test
  void replaysWhatExistsWhenTheHeadVersionFileIsGone() throws Exception {
    // Live applied V1 and V2, the repository lost V2: history drift reports it; the replay goes on.
    write(migrations, "V1__t.sql", "CREATE TABLE t (id int);");
    write(migrations, "V3__pending.sql", "CREATE TABLE pending (id int);");

    assertThat(replay.replay(shadow, source(), List.of("V1__t.sql", "V2__gone.sql"))).isEqualTo(1);

    assertThat(tableExists(shadow, "public.t")).isTrue();
    assertThat(tableExists(shadow, "public.pending")).isFalse();
  }

  @Test
  void aMissingLocationIsAReplayError() {
    MigrationSource.Flyway source = new MigrationSource.Flyway(List.of(migrations.resolve("nope")),
        "flyway_schema_history", List.of("public"), false);
    assertThatThrownBy(() -> replay.replay(shadow, source, List.of("V1__t.sql")))
        .isInstanceOf(ReplayException.class);
  }

  @Test
  void skipsAFileLiveIgnoredAndSaysHowManyRan() throws Exception {
    // Live applied V1 and V3; V2_5 was added afterwards and migrate (outOfOrder=false) skipped it.
    write(migrations, "V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);");
    write(migrations, "V2_5__positive_total.sql",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);");
    write(migrations, "V3__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY);");

    int ran = replay.replay(shadow, source(), List.of("V1__orders.sql", "V3__customers.sql"));

    assertThat(ran).isEqualTo(2);
    assertThat(tableExists(shadow, "public.customers")).isTrue();
    assertThat(query(shadow, "SELECT count(*) FROM pg_constraint WHERE conname = 'total_positive'")).isEqualTo("0");
  }

  @Test
  void runsTheScriptsInTheOrderLiveAppliedThemNotInVersionOrder() throws Exception {
    // V2_5 was applied out of order after V3, and it depends on V3's table: in version order it fails.
    write(migrations, "V1__orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);");
    write(migrations, "V3__customers.sql", "CREATE TABLE customers (id bigint PRIMARY KEY);");
    write(migrations, "V2_5__order_customer.sql",
        "ALTER TABLE orders ADD COLUMN customer bigint REFERENCES customers (id);");
    write(migrations, "V2_5__order_customer.sql.conf", "executeInTransaction=true\n");

    replay.replay(shadow, source(), List.of("V1__orders.sql", "V3__customers.sql", "V2_5__order_customer.sql"));

    assertThat(query(shadow, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.orders'::regclass"
        + " AND contype = 'f'")).isEqualTo("1");
  }
}
