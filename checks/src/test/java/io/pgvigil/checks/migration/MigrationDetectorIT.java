package io.pgvigil.checks.migration;

import static io.pgvigil.checks.testing.Backends.execute;
import static io.pgvigil.checks.testing.TestPools.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.history.AdvisoryLockKeys;
import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.Backends.Backend;
import io.pgvigil.checks.testing.PoolExtension;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPools;
import io.pgvigil.checks.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith({PostgresExtension.class, PoolExtension.class})
class MigrationDetectorIT {

  /** The slow migration waits on this key, which the test holds: no sleeping. */
  private static final long GATE = 4242;

  static TestPostgres pg;
  static Vertx vertx;
  static Pool pool;

  private final MigrationDetector detector = new MigrationDetector();
  private Backends backends;

  @BeforeAll
  static void setUp() throws Exception {
    Sql.execute(pg, "CREATE ROLE watcher LOGIN PASSWORD 'watcher' IN ROLE pg_monitor");
  }

  @Test
  void findsASessionHoldingFlywaysLock() throws Exception {
    long key = AdvisoryLockKeys.flyway("public", "flyway_schema_history");
    Backend holder = backends.open("deploy", true);
    execute(holder, "SELECT pg_advisory_lock(" + key + ")");

    List<MigrationBackend> found = await(detector.poll(pool, List.of()));

    assertThat(found).singleElement().satisfies(b -> {
      assertThat(b.tool()).isEqualTo(DetectedTool.FLYWAY);
      assertThat(b.pid()).isEqualTo(holder.pid());
      assertThat(b.backendStart()).isEqualTo(backendStart(holder.pid()));
      assertThat(b.state()).isEqualTo("idle");
      assertThat(b.applicationName()).isEqualTo("deploy");
      assertThat(b.user()).isEqualTo(pg.user());
      assertThat(b.evidence()).isEqualTo("advisory lock " + key + " held");
    });
  }

  /**
   * A real migrate, held inside its slow migration by the test's gate. With the transactional lock
   * (Flyway's default) the lock holder sits idle in transaction while a second backend of the same
   * client runs the SQL; with a session lock one backend does both. Both carry application_name
   * Redgate_Flyway (Flyway 13.12).
   */
  @ParameterizedTest(name = "transactional lock {0}")
  @ValueSource(booleans = {true, false})
  void seesARealFlywayMigrateWhileItRunsAndNotAfter(boolean transactionalLock, @TempDir Path dir) throws Exception {
    String schema = "flyway_" + transactionalLock;
    Files.writeString(dir.resolve("V1__slow.sql"),
        "SELECT pg_advisory_xact_lock_shared(" + GATE + ");\nCREATE TABLE account (id bigint PRIMARY KEY);\n");
    FluentConfiguration configuration = Flyway.configure()
        .dataSource(pg.jdbcUrl(), null, null)
        .locations("filesystem:" + dir)
        .schemas(schema);
    configuration.getConfigurationExtension(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(transactionalLock);
    Backend gate = backends.open("gate", true);
    execute(gate, "SELECT pg_advisory_lock(" + GATE + ")");
    CompletableFuture<Void> migrate = CompletableFuture.runAsync(() -> configuration.load().migrate());

    await().atMost(Duration.ofSeconds(20)).until(() -> gateWaiter() != null);
    int runningSql = gateWaiter();
    long key = AdvisoryLockKeys.flyway(schema, "flyway_schema_history");
    List<MigrationBackend> found = await(detector.poll(pool, List.of()));

    MigrationBackend worker = found.stream().filter(b -> b.pid() == runningSql).findFirst().orElseThrow();
    assertThat(worker.tool()).isEqualTo(DetectedTool.FLYWAY);
    assertThat(worker.state()).isEqualTo("active");
    assertThat(worker.applicationName()).isEqualTo(MigrationDetector.FLYWAY_APPLICATION_NAME);
    assertThat(worker.backendStart()).isEqualTo(backendStart(runningSql));
    if (transactionalLock) {
      assertThat(found).hasSize(2);
      MigrationBackend holder = found.stream().filter(b -> b.pid() != runningSql).findFirst().orElseThrow();
      assertThat(holder.tool()).isEqualTo(DetectedTool.FLYWAY);
      assertThat(holder.state()).isEqualTo("idle in transaction");
      assertThat(holder.applicationName()).isEqualTo(MigrationDetector.FLYWAY_APPLICATION_NAME);
      assertThat(holder.evidence()).isEqualTo("advisory lock " + key + " held");
      assertThat(worker.evidence()).isEqualTo("same Flyway client as lock holder " + holder.pid());
    } else {
      assertThat(found).hasSize(1);
      assertThat(worker.evidence()).isEqualTo("advisory lock " + key + " held");
    }
    assertThat(await(detector.poll(pool, List.of(MigrationDetector.FLYWAY_APPLICATION_NAME))))
        .filteredOn(b -> b.tool() == DetectedTool.APPLICATION)
        .extracting(MigrationBackend::pid)
        .contains(runningSql);

    execute(gate, "SELECT pg_advisory_unlock(" + GATE + ")");
    migrate.get(20, TimeUnit.SECONDS);
    // Flyway has closed its connections when migrate() returns, but a backend leaves
    // pg_stat_activity only once it has processed the client's Terminate: wait for that.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(
        () -> assertThat(await(detector.poll(pool, List.of(MigrationDetector.FLYWAY_APPLICATION_NAME)))).isEmpty());
  }

  /** Flyway on an application's DataSource: its other connections look alike, so none is guessed. */
  @Test
  void reportsOnlyTheLockHolderWhenFlywayBorrowsTheApplicationsConnections() throws Exception {
    Backend holder = backends.open("orders-api", false);
    execute(holder, "SELECT pg_advisory_xact_lock(" + AdvisoryLockKeys.flyway("public", "flyway_schema_history") + ")");
    Backend gate = backends.open("gate", true);
    execute(gate, "SELECT pg_advisory_lock(" + GATE + ")");
    Backend busy = backends.open("orders-api", true);
    backends.start(busy, "SELECT pg_advisory_lock_shared(" + GATE + ")");
    await().atMost(Duration.ofSeconds(10)).until(() -> gateWaiter() != null);

    assertThat(await(detector.poll(pool, List.of())))
        .extracting(MigrationBackend::tool, MigrationBackend::pid, MigrationBackend::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(DetectedTool.FLYWAY, holder.pid(), "idle in transaction"));
  }

  @Test
  void findsPrismasLock() throws Exception {
    Backend holder = backends.open("prisma-migrate", true);
    execute(holder, "SELECT pg_advisory_lock(72707369)");

    assertThat(await(detector.poll(pool, List.of())))
        .extracting(MigrationBackend::tool, MigrationBackend::pid, MigrationBackend::evidence)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(DetectedTool.PRISMA, holder.pid(),
            "advisory lock 72707369 held"));
  }

  @Test
  void findsSessionsWhoseApplicationNameMatchesAPattern() throws Exception {
    Backend deploy = backends.open("deploy-orders-42", true);
    backends.open("orders-api", true);

    List<MigrationBackend> found = await(detector.poll(pool, List.of("nothing", "deploy-%")));

    assertThat(found).singleElement().satisfies(b -> {
      assertThat(b.tool()).isEqualTo(DetectedTool.APPLICATION);
      assertThat(b.pid()).isEqualTo(deploy.pid());
      assertThat(b.applicationName()).isEqualTo("deploy-orders-42");
      assertThat(b.evidence()).isEqualTo("application_name matches deploy-%");
      assertThat(b.backendStart()).isEqualTo(backendStart(deploy.pid()));
    });
  }

  @Test
  void findsLiquibasesLockRowWithoutABackend() throws Exception {
    try (Connection connection = pg.connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA lb");
      // As Liquibase's LockServiceImpl creates it (unquoted, so lower case in PostgreSQL).
      statement.execute("CREATE TABLE lb.DATABASECHANGELOGLOCK (ID INT PRIMARY KEY, LOCKED BOOLEAN NOT NULL,"
          + " LOCKGRANTED TIMESTAMP, LOCKEDBY VARCHAR(255))");
      statement.execute("INSERT INTO lb.DATABASECHANGELOGLOCK VALUES (1, false, NULL, NULL)");
      try {
        assertThat(await(detector.poll(pool, List.of()))).isEmpty();

        statement.execute("UPDATE lb.DATABASECHANGELOGLOCK SET LOCKED = true,"
            + " LOCKGRANTED = '2026-01-02 03:04:05.123', LOCKEDBY = 'ci-runner (10.0.0.7)' WHERE ID = 1");

        assertThat(await(detector.poll(pool, List.of()))).singleElement().satisfies(b -> {
          assertThat(b.tool()).isEqualTo(DetectedTool.LIQUIBASE);
          assertThat(b.pid()).isNull();
          assertThat(b.backendStart()).isNull();
          assertThat(b.evidence())
              .isEqualTo("lb.databasechangeloglock locked by ci-runner (10.0.0.7) since 2026-01-02 03:04:05.123");
        });
        // pg_monitor does not grant SELECT on application tables: skipped, not an error.
        assertThat(pollAsWatcher(List.of())).isEmpty();
      } finally {
        statement.execute("DROP SCHEMA lb CASCADE");
      }
    }
  }

  @Test
  void findsNothingWhenNoMigrationRuns() throws Exception {
    backends.open("orders-api", true);
    Backend busy = backends.open("orders-api", false);
    execute(busy, "SELECT pg_advisory_xact_lock(1)");

    assertThat(await(detector.poll(pool, List.of(MigrationDetector.FLYWAY_APPLICATION_NAME, "deploy-%")))).isEmpty();
  }

  @Test
  void aRoleWithOnlyPgMonitorSeesTheSame() throws Exception {
    Backend flyway = backends.open("deploy", true);
    execute(flyway, "SELECT pg_advisory_lock(" + AdvisoryLockKeys.flyway("app", "history") + ")");
    Backend prisma = backends.open("prisma", true);
    execute(prisma, "SELECT pg_advisory_lock(72707369)");
    backends.open("deploy-7", true);
    List<String> patterns = List.of("deploy-%");

    List<MigrationBackend> bySuperuser = await(detector.poll(pool, patterns));
    List<MigrationBackend> byWatcher = pollAsWatcher(patterns);

    assertThat(bySuperuser).hasSize(3).allSatisfy(b -> assertThat(b.backendStart()).isNotNull());
    assertThat(byWatcher).isEqualTo(bySuperuser);
  }

  /** A poll as a role with only pg_monitor. */
  private List<MigrationBackend> pollAsWatcher(List<String> patterns) throws Exception {
    Pool watcher = TestPools.pool(vertx, pg, "watcher", "watcher");
    return await(detector.poll(watcher, patterns).eventually(watcher::close));
  }

  /** The backend waiting for the test's gate: the one running the migration's SQL. */
  private static Integer gateWaiter() throws Exception {
    try (Connection connection = pg.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
            + " AND NOT granted AND classid = 0 AND objid = " + GATE + " AND objsubid = 1")) {
      return rows.next() ? rows.getInt(1) : null;
    }
  }

  private static OffsetDateTime backendStart(int pid) throws Exception {
    try (Connection connection = pg.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT backend_start FROM pg_stat_activity WHERE pid = " + pid)) {
      rows.next();
      return rows.getObject(1, OffsetDateTime.class);
    }
  }
}
