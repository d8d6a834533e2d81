package io.pgvigil.checks.migration;

import static io.pgvigil.checks.testing.Backends.execute;
import static io.pgvigil.checks.testing.TestPools.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgvigil.checks.testing.Backends;
import io.pgvigil.checks.testing.Backends.Backend;
import io.pgvigil.checks.testing.LockStall;
import io.pgvigil.checks.testing.PoolExtension;
import io.pgvigil.checks.testing.PostgresExtension;
import io.pgvigil.checks.testing.Sql;
import io.pgvigil.checks.testing.TestPools;
import io.pgvigil.checks.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The kill switch against a real stall. pgvigil signals as {@code killer} (pg_monitor +
 * pg_signal_backend), the application runs as the non-superuser {@code app_user}: a non-superuser
 * cannot signal a superuser's backend at all.
 */
@ExtendWith({PostgresExtension.class, PoolExtension.class})
class BackendSignalsIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  static TestPostgres pg;
  static Vertx vertx;
  static Pool killer;

  private final BackendSignals signals = new BackendSignals();
  private Backends backends;

  @BeforeAll
  static void setUp() throws Exception {
    Sql.execute(pg,
        "CREATE ROLE app_user LOGIN PASSWORD 'app_user'",
        "CREATE ROLE killer LOGIN PASSWORD 'killer' IN ROLE pg_monitor, pg_signal_backend",
        "CREATE ROLE watcher LOGIN PASSWORD 'watcher' IN ROLE pg_monitor",
        "CREATE TABLE orders (id int PRIMARY KEY, v int NOT NULL)",
        "INSERT INTO orders SELECT g, 0 FROM generate_series(1, 10) g",
        "ALTER TABLE orders OWNER TO app_user");
    killer = TestPools.pool(vertx, pg, "killer", "killer");
  }

  /** The stall of SPEC "Known traps", as app_user: A idle in transaction, B's ALTER waiting on A, readers behind B. */
  private LockStall stall(int readers) throws Exception {
    return new LockStall(backends, "orders").as("app_user", "app_user")
        .hold("UPDATE orders SET v = v + 1 WHERE id = 1").migrate().queue(readers).awaitQueued();
  }

  @Test
  void cancellingTheWaitingAlterLetsTheReadersThroughAndLeavesTheHolderAlone() throws Exception {
    LockStall stall = stall(3);

    SignalResult result = await(signals.cancel(killer, stall.alter().pid(), backendStart(stall.alter().pid())));

    assertThat(result.outcome()).isEqualTo(SignalOutcome.CANCELLED);
    assertThat(result.pid()).isEqualTo(stall.alter().pid());
    assertThatThrownBy(() -> stall.altering().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
    for (Future<?> reader : stall.reading()) {
      reader.get(10, TimeUnit.SECONDS);
    }
    assertThat(state(stall.holder().pid())).isEqualTo("idle in transaction");
    assertThat(state(stall.alter().pid())).isEqualTo("idle");
  }

  @Test
  void cancelsAWaitingDdlRequestOnlyWhileItStillWaitsForThatLock() throws Exception {
    LockStall stall = stall(2);
    int alter = stall.alter().pid();
    OffsetDateTime started = backendStart(alter);

    SignalResult otherTable = await(signals.cancelWaitingRequest(killer, alter, started, "public.other",
        "AccessExclusiveLock"));
    SignalResult otherMode = await(signals.cancelWaitingRequest(killer, alter, started, "public.orders",
        "ShareLock"));
    SignalResult otherStart = await(signals.cancelWaitingRequest(killer, alter, started.plusNanos(1_000),
        "public.orders", "AccessExclusiveLock"));
    SignalResult holder = await(signals.cancelWaitingRequest(killer, stall.holder().pid(),
        backendStart(stall.holder().pid()), "public.orders", "RowExclusiveLock"));

    assertThat(List.of(otherTable, otherMode, otherStart, holder)).extracting(SignalResult::outcome)
        .containsOnly(SignalOutcome.REFUSED_GUARD);
    assertThat(waitingOnLock(alter)).isTrue();

    SignalResult result = await(signals.cancelWaitingRequest(killer, alter, started, "public.orders",
        "AccessExclusiveLock"));

    assertThat(result.outcome()).isEqualTo(SignalOutcome.CANCELLED);
    assertThatThrownBy(() -> stall.altering().get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
    for (Future<?> reader : stall.reading()) {
      reader.get(10, TimeUnit.SECONDS);
    }
    assertThat(state(stall.holder().pid())).isEqualTo("idle in transaction");
  }

  @Test
  void refusesToCancelWhenBackendStartIsOneMicrosecondOff() throws Exception {
    LockStall stall = stall(0);
    OffsetDateTime started = backendStart(stall.alter().pid());

    SignalResult refused = await(signals.cancel(killer, stall.alter().pid(), started.plusNanos(1_000)));

    assertThat(refused.outcome()).isEqualTo(SignalOutcome.REFUSED_GUARD);
    assertThat(refused.message()).contains("not cancelled");
    assertThat(waitingOnLock(stall.alter().pid())).isTrue();
    assertThat(stall.altering()).isNotDone();
    // The exact value, as read through Vert.x, still matches: microseconds survive the round trip.
    assertThat(await(signals.cancel(killer, stall.alter().pid(), started)).outcome())
        .isEqualTo(SignalOutcome.CANCELLED);
  }

  @Test
  void backendStartRoundTripsWithMicroseconds() throws Exception {
    Backend session = open("app", true);
    OffsetDateTime viaVertx = backendStart(session.pid());
    OffsetDateTime viaJdbc;
    try (Connection connection = pg.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT backend_start FROM pg_stat_activity WHERE pid = "
            + session.pid())) {
      rows.next();
      viaJdbc = rows.getObject(1, OffsetDateTime.class);
    }

    assertThat(viaVertx.toInstant()).isEqualTo(viaJdbc.toInstant());
    assertThat(matches(session.pid(), viaVertx)).isTrue();
    assertThat(matches(session.pid(), viaVertx.plusNanos(1_000))).isFalse();
    assertThat(matches(session.pid(), viaVertx.minusNanos(1_000))).isFalse();
  }

  @Test
  void refusesToCancelAnIdleSession() throws Exception {
    Backend idle = open("app", true);

    SignalResult result = await(signals.cancel(killer, idle.pid(), backendStart(idle.pid())));

    assertThat(result.outcome()).isEqualTo(SignalOutcome.REFUSED_GUARD);
    assertThat(idle.connection().isValid(2)).isTrue();
  }

  @Test
  void terminatesAnAllowlistedIdleBlockerAndTheAlterProceeds() throws Exception {
    LockStall stall = stall(0);
    int holder = stall.holder().pid();

    SignalResult result = await(signals.terminateIdleBlocker(killer, holder, backendStart(holder), Duration.ZERO,
        List.of("app_user"), null));

    assertThat(result.outcome()).isEqualTo(SignalOutcome.TERMINATED);
    await().atMost(WAIT).until(() -> state(holder) == null);
    assertThat(stall.holder().connection().isValid(2)).isFalse();
    stall.altering().get(10, TimeUnit.SECONDS);
  }

  @Test
  void terminatesABlockerSeenBlockingAfterTheMigrationWasCancelledButNotOneThatMovedOn() throws Exception {
    LockStall stall = stall(0);
    int holder = stall.holder().pid();
    OffsetDateTime seenBlocking = await(killer.query("SELECT clock_timestamp() AS now")
        .mapping(row -> row.getOffsetDateTime("now")).execute().map(rows -> rows.iterator().next()));
    await(signals.cancel(killer, stall.alter().pid(), backendStart(stall.alter().pid())));
    assertThatThrownBy(() -> stall.altering().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

    // It blocks nobody now: without the observation the guard refuses, as before.
    assertThat(await(signals.terminateIdleBlocker(killer, holder, backendStart(holder), Duration.ZERO,
        List.of("app_user"), null)).outcome()).isEqualTo(SignalOutcome.REFUSED_GUARD);
    // Seen blocking before its state last changed: not the same idle stretch, refused.
    assertThat(await(signals.terminateIdleBlocker(killer, holder, backendStart(holder), Duration.ZERO,
        List.of("app_user"), seenBlocking.minusMinutes(10))).outcome()).isEqualTo(SignalOutcome.REFUSED_GUARD);
    assertThat(state(holder)).isEqualTo("idle in transaction");

    SignalResult result = await(signals.terminateIdleBlocker(killer, holder, backendStart(holder), Duration.ZERO,
        List.of("app_user"), seenBlocking));
    assertThat(result.outcome()).isEqualTo(SignalOutcome.TERMINATED);
    await().atMost(WAIT).until(() -> state(holder) == null);
  }

  @Test
  void refusesABlockerThatRanAStatementSinceThePollEvenThoughItBlocksSomeoneNow() throws Exception {
    LockStall stall = stall(0);
    int holder = stall.holder().pid();
    OffsetDateTime seenBlocking = await(killer.query("SELECT clock_timestamp() AS now")
        .mapping(row -> row.getOffsetDateTime("now")).execute().map(rows -> rows.iterator().next()));
    // After the poll the holder runs another statement: it still blocks the ALTER, but it is no
    // longer the idle stretch that was judged.
    execute(stall.holder(), "SELECT 1");
    await().atMost(WAIT).until(() -> "idle in transaction".equals(state(holder)));

    SignalResult result = await(signals.terminateIdleBlocker(killer, holder, backendStart(holder), Duration.ZERO,
        List.of("app_user"), seenBlocking));

    assertThat(result.outcome()).isEqualTo(SignalOutcome.REFUSED_GUARD);
    assertThat(state(holder)).isEqualTo("idle in transaction");
    assertThat(waitingOnLock(stall.alter().pid())).isTrue();
  }

  @Test
  void refusesToTerminateOutsideTheAllowlistThresholdOrState() throws Exception {
    LockStall stall = stall(0);
    int holder = stall.holder().pid();
    OffsetDateTime started = backendStart(holder);

    SignalResult empty = await(signals.terminateIdleBlocker(killer, holder, started, Duration.ZERO, List.of(), null));
    SignalResult unlisted = await(signals.terminateIdleBlocker(killer, holder, started, Duration.ZERO,
        List.of("batch_user"), null));
    SignalResult tooRecent = await(signals.terminateIdleBlocker(killer, holder, started, Duration.ofHours(1),
        List.of("app_user"), null));
    SignalResult wrongStart = await(signals.terminateIdleBlocker(killer, holder, started.plusNanos(1_000),
        Duration.ZERO, List.of("app_user"), null));
    int alter = stall.alter().pid();
    SignalResult active = await(signals.terminateIdleBlocker(killer, alter, backendStart(alter), Duration.ZERO,
        List.of("app_user"), null));

    assertThat(empty.outcome()).isEqualTo(SignalOutcome.REFUSED_POLICY);
    assertThat(List.of(unlisted, tooRecent, wrongStart, active))
        .extracting(SignalResult::outcome)
        .containsOnly(SignalOutcome.REFUSED_GUARD);
    assertThat(state(holder)).isEqualTo("idle in transaction");
    assertThat(waitingOnLock(alter)).isTrue();
  }

  @Test
  void refusesToTerminateAnIdleTransactionThatBlocksNobody() throws Exception {
    Backend idle = open("app", false);
    execute(idle, "SELECT 1");
    await().atMost(WAIT).until(() -> "idle in transaction".equals(state(idle.pid())));

    SignalResult result = await(signals.terminateIdleBlocker(killer, idle.pid(), backendStart(idle.pid()),
        Duration.ZERO, List.of("app_user"), null));

    assertThat(result.outcome()).isEqualTo(SignalOutcome.REFUSED_GUARD);
    assertThat(idle.connection().isValid(2)).isTrue();
  }

  @Test
  void aRoleWithoutPgSignalBackendIsDenied() throws Exception {
    LockStall stall = stall(0);
    Pool watcher = TestPools.pool(vertx, pg, "watcher", "watcher");
    try {
      SignalResult result = await(signals.cancel(watcher, stall.alter().pid(), backendStart(stall.alter().pid())));

      assertThat(result.outcome()).isEqualTo(SignalOutcome.DENIED);
      assertThat(result.message()).contains("pg_signal_backend");
      assertThat(waitingOnLock(stall.alter().pid())).isTrue();
    } finally {
      await(watcher.close());
    }
  }

  private Backend open(String applicationName, boolean autocommit) throws SQLException {
    return backends.open(applicationName, autocommit, "app_user", "app_user");
  }

  /** As the daemon reads it: through Vert.x. */
  private static OffsetDateTime backendStart(int pid) throws Exception {
    return await(killer.preparedQuery("SELECT backend_start FROM pg_stat_activity WHERE pid = $1")
        .mapping(row -> row.getOffsetDateTime("backend_start"))
        .execute(Tuple.of(pid))
        .map(rows -> rows.iterator().next()));
  }

  private static boolean matches(int pid, OffsetDateTime backendStart) throws Exception {
    return await(killer.preparedQuery("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2")
        .execute(Tuple.of(pid, backendStart))
        .map(rows -> rows.size() == 1));
  }

  private boolean waitingOnLock(int pid) throws SQLException {
    return backends.waitingOnLock(pid);
  }

  /** pg_stat_activity.state, or null once the backend is gone. */
  private String state(int pid) throws SQLException {
    return backends.state(pid);
  }
}
