package io.pgvigil.checks.shadow;

import static io.pgvigil.checks.shadow.ShadowFixtures.query;
import static io.pgvigil.checks.shadow.ShadowFixtures.tableExists;
import static io.pgvigil.checks.shadow.ShadowFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.history.MigrationSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class PrismaReplayIT extends ReplayOnShadow {

  private static final Logger LOG = LoggerFactory.getLogger(PrismaReplayIT.class);

  @TempDir
  Path directory;

  private MigrationSource.Prisma source() {
    return new MigrationSource.Prisma(directory);
  }

  private void migration(String name, String sql) throws Exception {
    write(directory, name + "/migration.sql", sql);
  }

  @Test
  void runsTheAppliedMigrationsInOrderAndNothingElse() throws Exception {
    migration("20240101000000_init", """
        -- CreateTable
        CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
        -- CreateIndex
        CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
        """);
    migration("20240201000000_name", "ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;");
    migration("20240301000000_pending", "CREATE TABLE \"Pending\" (id int);");

    replay.replay(shadow, source(), List.of("20240101000000_init", "20240201000000_name"));

    assertThat(query(shadow, "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute"
        + " WHERE attrelid = 'public.\"User\"'::regclass AND attnum > 0")).isEqualTo("id,email,name");
    assertThat(tableExists(shadow, "public.\"Pending\"")).isFalse();
    assertThat(tableExists(shadow, "public._prisma_migrations")).isFalse();
  }

  @Test
  void followsTheGivenOrderNotTheDirectoryOrder() throws Exception {
    migration("a_second", "ALTER TABLE t ADD COLUMN b int;");
    migration("b_first", "CREATE TABLE t (a int);");

    replay.replay(shadow, source(), List.of("b_first", "a_second"));

    assertThat(query(shadow, "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute"
        + " WHERE attrelid = 'public.t'::regclass AND attnum > 0")).isEqualTo("a,b");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void runsACreateIndexConcurrentlyThatIsAloneInItsScript() throws Exception {
    migration("1_table", "CREATE TABLE t (a int);");
    migration("2_index", "-- CreateIndex\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);\n");

    replay.replay(shadow, source(), List.of("1_table", "2_index"));

    assertThat(query(shadow, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.t_a_idx'::regclass"))
        .isEqualTo("t");
  }

  @Test
  void aFailureWithAPositionNamesTheStatementAndItsLine() throws Exception {
    migration("1_init", "CREATE TABLE t (a int);\n\nCREATE VIEW v AS\n  SELECT nope\n  FROM t;\n");

    assertThatThrownBy(() -> replay.replay(shadow, source(), List.of("1_init")))
        .isInstanceOfSatisfying(ReplayException.class, e -> {
          LOG.info("Prisma replay failure: {}", e.getMessage());
          assertThat(e.getMessage()).isEqualTo("replaying 1_init/migration.sql (line 4) failed at"
              + " \"CREATE VIEW v AS SELECT nope FROM t;\": column \"nope\" does not exist (SQLSTATE 42703)");
        });
    // One implicit transaction: nothing of the failed script is left.
    assertThat(tableExists(shadow, "public.t")).isFalse();
  }

  @Test
  void aFailureWithoutAPositionIsFoundAgainStatementByStatement() throws Exception {
    migration("1_init", "CREATE TABLE t (a int);");
    migration("2_change", """
        -- AlterTable
        ALTER TABLE t ADD COLUMN b text DEFAULT 'x;y';
        CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;
        -- CreateIndex
        CREATE INDEX t_c_idx ON missing (c);
        ALTER TABLE t ADD COLUMN d int;
        """);

    assertThatThrownBy(() -> replay.replay(shadow, source(), List.of("1_init", "2_change")))
        .isInstanceOfSatisfying(ReplayException.class, e -> {
          LOG.info("Prisma replay failure: {}", e.getMessage());
          assertThat(e.getMessage()).isEqualTo("replaying 2_change/migration.sql (line 5) failed at"
              + " \"CREATE INDEX t_c_idx ON missing (c);\": relation \"missing\" does not exist (SQLSTATE 42P01)");
          assertThat(e.getMessage()).startsWith("replaying 2_change/migration.sql (line 5) ");
        });
    assertThat(tableExists(shadow, "public.t")).isTrue();
    assertThat(
        query(shadow, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.t'::regclass AND attname = 'b'"))
        .isEqualTo("0");
  }

  @Test
  void aMissingScriptOfAnAppliedMigrationIsAReplayError() {
    assertThatThrownBy(() -> replay.replay(shadow, source(), List.of("1_gone")))
        .isInstanceOf(ReplayException.class)
        .hasMessageStartingWith(
            "cannot replay 1_gone/migration.sql: it is applied in the live database but cannot be read");
  }

  @Test
  void aStatementThatRunsTooLongFailsInsteadOfHanging() throws Exception {
    migration("1_slow", "SELECT pg_sleep(30);");

    assertThatThrownBy(() -> new HistoryReplay(Duration.ofMillis(200)).replay(shadow, source(), List.of("1_slow")))
        .isInstanceOf(ReplayException.class)
        .hasMessageEndingWith("(SQLSTATE 57014)");
  }
}
