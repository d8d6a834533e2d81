package io.pgvigil.checks.locks;

import static io.pgvigil.checks.testing.Backends.execute;
import static io.pgvigil.checks.testing.TestPools.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.Backends.Backend;
import io.pgvigil.checks.testing.PoolExtension;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An index build caught mid-way, and invalid indexes. A {@code CREATE INDEX CONCURRENTLY} waits in its
 * "waiting for old snapshots" phase for every transaction whose snapshot is older than its own (manual,
 * CREATE INDEX, "Building Indexes Concurrently"): an open REPEATABLE READ transaction holds it there as long
 * as the test needs.
 */
@ExtendWith({PostgresExtension.class, PoolExtension.class})
class IndexBuildIT {

  private static final LockAnalysis ANALYSIS =
      new LockAnalysis(LockAnalysis.DEFAULT_WRITE_THRESHOLD, false);

  static TestPostgres pg;
  static Vertx vertx;
  static Pool pool;

  private Backends backends;

  @BeforeAll
  static void setUp() throws Exception {
    Sql.execute(pg,
        "CREATE TABLE events (id int PRIMARY KEY, kind int NOT NULL)",
        "INSERT INTO events SELECT g, g % 10 FROM generate_series(1, 10000) g",
        "CREATE TABLE dupes (email text NOT NULL)",
        "INSERT INTO dupes VALUES ('a@example.com'), ('a@example.com')");
  }

  @AfterEach
  void closeBackends() throws Exception {
    backends.close(); // before the DROP INDEX, which would wait for a build still running
    // A terminated concurrent build leaves its index behind, invalid: exactly what InvalidIndexProbe reports.
    Sql.execute(pg, "DROP INDEX IF EXISTS events_kind_idx, events_kind_building_idx");
  }

  private Backend buildHeldByAnOldSnapshot(String index) throws SQLException {
    Backend snapshot = backends.open("report", false);
    snapshot.connection().setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    execute(snapshot, "SELECT count(*) FROM dupes");
    Backend build = backends.open("migration", true);
    backends.start(build, "/* V7 */ CREATE INDEX CONCURRENTLY " + index + " ON events (kind)");
    return build;
  }

  @Test
  void showsTheProgressOfAConcurrentIndexBuild() throws Exception {
    Backend build = buildHeldByAnOldSnapshot("events_kind_idx");
    LockProbe probe = new LockProbe();
    RunningDdl ddl = Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> ANALYSIS.analyze(await(probe.poll(pool))).ddl().stream()
            .filter(d -> d.pid() == build.pid() && d.progress() != null
                && "waiting for old snapshots".equals(d.progress().phase()))
            .findFirst().orElse(null), d -> d != null);
    assertThat(ddl.command()).isEqualTo("CREATE INDEX CONCURRENTLY");
    assertThat(ddl.progress().command()).isEqualTo("CREATE INDEX CONCURRENTLY");
    assertThat(ddl.progress().relation()).isEqualTo("public.events");
    assertThat(ddl.progress().index()).isEqualTo("public.events_kind_idx");
    assertThat(ddl.waitEventType()).isEqualTo("Lock");
  }

  @Test
  void listsAnIndexLeftInvalidByAFailedBuildButNotOneBeingBuilt() throws Exception {
    try (Connection connection = pg.connect(); Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.execute("CREATE UNIQUE INDEX CONCURRENTLY dupes_email_key ON dupes (email)"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
    }
    Backend build = buildHeldByAnOldSnapshot("events_kind_building_idx");
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> await(new LockProbe().poll(pool)).byPid().get(build.pid()) != null
            && await(pool.query("SELECT 1 FROM pg_class WHERE relname = 'events_kind_building_idx'").execute())
                .size() == 1);

    List<InvalidIndex> invalid = await(new InvalidIndexProbe().poll(pool));

    assertThat(invalid).containsExactly(new InvalidIndex("public", "dupes", "dupes_email_key"));
    assertThat(
        await(pool.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'events_kind_building_idx'::regclass")
            .execute()).iterator().next().getBoolean("indisvalid"))
        .isFalse();
  }
}
