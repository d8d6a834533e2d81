package io.pgvigil.checks.locks;

import static io.pgvigil.checks.testing.Backends.execute;
import static io.pgvigil.checks.testing.TestPools.await;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({PostgresExtension.class, PoolExtension.class})
class LockProbeIT {

  private static final LockAnalysis ANALYSIS =
      new LockAnalysis(LockAnalysis.DEFAULT_WRITE_THRESHOLD, false);

  static TestPostgres pg;
  static Vertx vertx;
  static Pool pool;

  private final LockProbe probe = new LockProbe();
  private Backends backends;

  @BeforeAll
  static void setUp() throws Exception {
    Sql.execute(pg,
        "CREATE TABLE orders (id int PRIMARY KEY, v int NOT NULL)",
        "INSERT INTO orders SELECT g, 0 FROM generate_series(1, 100) g",
        "CREATE TABLE hot (id int PRIMARY KEY, v int NOT NULL)",
        "CREATE TABLE cold (id int PRIMARY KEY, v int NOT NULL)",
        "CREATE ROLE watcher LOGIN PASSWORD 'watcher' IN ROLE pg_monitor");
  }

  /** The stall of SPEC "Known traps": A idle in transaction, B's ALTER waiting, C1..C5 reading behind B. */
  record Stall(int holder, int alter, List<Integer> readers) {}

  private Stall stall(Pool watching) throws Exception {
    LockStall stall = new LockStall(backends, "orders").hold("UPDATE orders SET v = v + 1 WHERE id = 1")
        .migrate("ALTER TABLE orders ADD COLUMN note text").queue(5).awaitQueued();
    poll(watching,
        s -> waiting(s, stall.alter().pid()) && stall.readerPids().stream().allMatch(pid -> waiting(s, pid)));
    return new Stall(stall.holder().pid(), stall.alter().pid(), stall.readerPids());
  }

  @Test
  void findsTheIdleHolderAtTheRootOfTheStall() throws Exception {
    Stall stall = stall(pool);
    assertStall(stall, pool);
  }

  @Test
  void seesTheSameStallAsARoleWithOnlyPgMonitor() throws Exception {
    Pool watcher = TestPools.pool(vertx, pg, "watcher", "watcher");
    try {
      Stall stall = stall(watcher);
      assertStall(stall, watcher);
      LockSnapshot snapshot = await(probe.poll(watcher));
      Session holder = snapshot.byPid().get(stall.holder());
      assertThat(holder.query()).isEqualTo("UPDATE orders SET v = v + 1 WHERE id = 1");
      assertThat(holder.user()).isEqualTo(pg.user());
    } finally {
      await(watcher.close());
    }
  }

  private void assertStall(Stall stall, Pool watching) throws Exception {
    LockSnapshot first = await(probe.poll(watching));
    // The trap: the readers name the waiting ALTER, not the idle session it waits for.
    for (int reader : stall.readers()) {
      assertThat(first.byPid().get(reader).blockedBy()).containsExactly(stall.alter());
    }
    LockReport report = ANALYSIS.analyze(first);

    BlockingTree tree = report.trees().stream().filter(t -> t.root().pid() == stall.holder()).findFirst().orElseThrow();
    assertThat(report.trees()).hasSize(1);
    assertThat(tree.root().state()).isEqualTo("idle in transaction");
    assertThat(tree.root().applicationName()).isEqualTo("app-holder");
    assertThat(tree.maxDepth()).isEqualTo(2);
    assertThat(tree.blocked()).hasSize(6);
    BlockedSession alter = tree.blocked().get(0);
    assertThat(alter.pid()).isEqualTo(stall.alter());
    assertThat(alter.depth()).isEqualTo(1);
    assertThat(alter.mode()).isEqualTo("AccessExclusiveLock");
    assertThat(alter.relation()).isEqualTo("public.orders");
    assertThat(alter.query()).isEqualTo("ALTER TABLE orders ADD COLUMN note text");
    assertThat(tree.blocked().subList(1, 6)).allSatisfy(reader -> {
      assertThat(reader.depth()).isEqualTo(2);
      assertThat(reader.mode()).isEqualTo("AccessShareLock");
      assertThat(reader.blockedBy()).containsExactly(stall.alter());
    });
    assertThat(tree.blocked().subList(1, 6)).extracting(BlockedSession::pid)
        .containsExactlyInAnyOrderElementsOf(stall.readers());

    LockQueue queue = report.queues().get(0);
    assertThat(queue.pid()).isEqualTo(stall.alter());
    assertThat(queue.depth()).isEqualTo(5);
    assertThat(queue.queued()).extracting(QueuedSession::pid).containsExactlyInAnyOrderElementsOf(stall.readers());
    assertThat(report.ddl()).extracting(RunningDdl::pid, RunningDdl::command, RunningDdl::waitEventType)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(stall.alter(), "ALTER TABLE", "Lock"));
    assertThat(report.idleInTransaction()).extracting(IdleTransaction::pid, IdleTransaction::blocking)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(stall.holder(), true));

    LockSummary summary = report.summary();
    assertThat(summary.waitingSessions()).isEqualTo(6);
    assertThat(summary.rootBlockers()).isEqualTo(1);
    assertThat(summary.maxQueueDepth()).isEqualTo(5);
    assertThat(summary.maxLockWaitSeconds()).isEqualTo(alter.waitingSeconds()).isPositive();
    assertThat(summary.idleInTransactionMaxSeconds()).isPositive();
    assertThat(summary.ddlMaxSeconds()).isGreaterThanOrEqualTo(alter.waitingSeconds());

    // The queue costs more with every poll while it stands.
    double cost = summary.maxQueueCostSeconds();
    LockSnapshot later = poll(watching,
        s -> ANALYSIS.analyze(s).summary().maxQueueCostSeconds() > cost);
    assertThat(later.serverTime()).isAfter(first.serverTime());
  }

  @Test
  void aRowLockWaitBetweenApplicationSessionsIsATreeButNoLockQueue() throws Exception {
    Backend holder = backends.open("app-holder", false);
    execute(holder, "UPDATE orders SET v = v + 1 WHERE id = 7");
    Backend first = backends.open("app-first", true);
    backends.start(first, "UPDATE orders SET v = v + 2 WHERE id = 7");
    poll(pool, s -> waiting(s, first.pid()));
    Backend second = backends.open("app-second", true);
    backends.start(second, "UPDATE orders SET v = v + 3 WHERE id = 7");
    LockSnapshot snapshot = poll(pool, s -> waiting(s, second.pid()));

    // The first waits on the holder's transaction id in ShareLock, the second on the tuple behind it.
    assertThat(snapshot.byPid().get(first.pid()).waitingFor().locktype()).isEqualTo("transactionid");
    assertThat(snapshot.byPid().get(first.pid()).waitingFor().mode()).isEqualTo("ShareLock");
    assertThat(snapshot.byPid().get(second.pid()).waitingFor().locktype()).isEqualTo("tuple");
    assertThat(snapshot.byPid().get(second.pid()).blockedBy()).containsExactly(first.pid());
    LockReport report = ANALYSIS.analyze(snapshot);
    assertThat(report.trees()).singleElement().satisfies(tree -> assertThat(tree.root().pid()).isEqualTo(holder.pid()));
    assertThat(report.queues()).isEmpty();
    assertThat(report.summary().maxQueueDepth()).isZero();
  }

  @Test
  void aDdlRequestOnATableHeldInShareModeWithNobodyBehindItDoesNotStall() throws Exception {
    Backend holder = backends.open("app-holder", false);
    execute(holder, "LOCK orders IN SHARE MODE");
    Backend writer = backends.open("app-writer", true);
    backends.start(writer, "UPDATE orders SET v = v + 1 WHERE id = 8");
    Backend alter = backends.open("migration", false);
    backends.start(alter, "LOCK orders IN SHARE ROW EXCLUSIVE MODE");
    LockSnapshot snapshot = poll(pool, s -> waiting(s, writer.pid()) && waiting(s, alter.pid()));

    LockReport report = ANALYSIS.analyze(snapshot);

    // The writer came first and waits for the holder only: nobody queues behind the DDL request.
    assertThat(report.queues()).singleElement().satisfies(queue -> {
      assertThat(queue.pid()).isEqualTo(alter.pid());
      assertThat(queue.relation()).isEqualTo("public.orders");
      assertThat(queue.depth()).isZero();
      assertThat(queue.stalls()).isFalse();
    });
  }

  @Test
  void queuesTheReadersOfATableAMigrationAlteredBehindItsRequestOnTheNextOne() throws Exception {
    // The ordinary multi-statement migration: ALTER TABLE hot went through, ALTER TABLE cold waits for an idle
    // transaction, and the migration's AccessExclusiveLock on hot stops every reader of hot.
    Backend holder = backends.open("app-holder", false);
    execute(holder, "SELECT count(*) FROM cold");
    Backend migration = backends.open("migration", false);
    execute(migration, "ALTER TABLE hot ADD COLUMN note text");
    backends.start(migration, "ALTER TABLE cold ADD COLUMN note text");
    poll(pool, s -> waiting(s, migration.pid()));
    List<Integer> readers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Backend reader = backends.open("app-reader-" + i, true);
      backends.start(reader, "SELECT * FROM hot WHERE id = " + i);
      readers.add(reader.pid());
    }
    LockSnapshot snapshot = poll(pool, s -> readers.stream().allMatch(pid -> waiting(s, pid)));

    for (int reader : readers) {
      assertThat(snapshot.byPid().get(reader).blockedBy()).containsExactly(migration.pid());
    }
    LockReport report = ANALYSIS.analyze(snapshot);
    assertThat(report.queues()).singleElement().satisfies(queue -> {
      assertThat(queue.pid()).isEqualTo(migration.pid());
      assertThat(queue.relation()).isEqualTo("public.cold");
      assertThat(queue.mode()).isEqualTo("AccessExclusiveLock");
      assertThat(queue.blockedBy()).containsExactly(holder.pid());
      assertThat(queue.depth()).isEqualTo(3);
      assertThat(queue.stalls()).isTrue();
      assertThat(queue.queued()).extracting(QueuedSession::pid).containsExactlyInAnyOrderElementsOf(readers);
      assertThat(queue.queued()).extracting(QueuedSession::relation, QueuedSession::mode)
          .containsOnly(org.assertj.core.groups.Tuple.tuple("public.hot", "AccessShareLock"));
    });
    assertThat(report.summary().maxQueueDepth()).isEqualTo(3);
    assertThat(report.trees()).singleElement().satisfies(tree -> {
      assertThat(tree.root().pid()).isEqualTo(holder.pid());
      assertThat(tree.blocked()).extracting(BlockedSession::pid).contains(migration.pid()).containsAll(readers);
    });
  }

  @Test
  void walksAThreeLevelChainToItsRoot() throws Exception {
    Backend a = backends.open("a", false);
    execute(a, "UPDATE orders SET v = v + 1 WHERE id = 10");
    Backend b = backends.open("b", false);
    execute(b, "UPDATE orders SET v = v + 1 WHERE id = 11");
    backends.start(b, "UPDATE orders SET v = v + 1 WHERE id = 10");
    Backend c = backends.open("c", true);
    backends.start(c, "UPDATE orders SET v = v + 1 WHERE id = 11");
    LockSnapshot snapshot = poll(pool, s -> waiting(s, b.pid()) && waiting(s, c.pid()));

    List<BlockingTree> trees = ANALYSIS.analyze(snapshot).trees();
    assertThat(trees).hasSize(1);
    assertThat(trees.get(0).root().pid()).isEqualTo(a.pid());
    assertThat(trees.get(0).maxDepth()).isEqualTo(2);
    assertThat(trees.get(0).blocked()).extracting(BlockedSession::pid, BlockedSession::depth)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(b.pid(), 1),
            org.assertj.core.groups.Tuple.tuple(c.pid(), 2));
    assertThat(trees.get(0).blocked().get(0).locktype()).isEqualTo("transactionid");
  }

  @Test
  void findsAnIdleSessionHoldingASessionLevelAdvisoryLock() throws Exception {
    // Migration tools lock with session-level advisory locks, which outlive the transaction: the holder is 'idle'.
    Backend tool = backends.open("flyway", true);
    execute(tool, "SELECT pg_advisory_lock(4242)");
    Backend second = backends.open("flyway-2", true);
    backends.start(second, "SELECT pg_advisory_lock(4242)");
    LockSnapshot snapshot = poll(pool, s -> waiting(s, second.pid()));

    BlockingTree tree = ANALYSIS.analyze(snapshot).trees().get(0);
    assertThat(tree.root().pid()).isEqualTo(tool.pid());
    assertThat(tree.root().state()).isEqualTo("idle");
    assertThat(tree.root().applicationName()).isEqualTo("flyway");
    assertThat(tree.blocked()).extracting(BlockedSession::locktype).containsExactly("advisory");
  }

  @Test
  void findsABlockerWhoseTransactionFailed() throws Exception {
    // A failed transaction releases its transaction's locks but not session-level ones; such a session has
    // no transaction start, so it is not a candidate, and it is not idle either: it is looked up as a blocker.
    Backend tool = backends.open("flyway", false);
    execute(tool, "SELECT pg_advisory_lock(4343)");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> execute(tool, "SELECT 1 / 0"))).isNotNull();
    Backend second = backends.open("flyway-2", true);
    backends.start(second, "SELECT pg_advisory_lock(4343)");
    LockSnapshot snapshot = poll(pool, s -> waiting(s, second.pid()));

    BlockingTree tree = ANALYSIS.analyze(snapshot).trees().get(0);
    assertThat(tree.root().pid()).isEqualTo(tool.pid());
    assertThat(tree.root().state()).isEqualTo("idle in transaction (aborted)");
    assertThat(tree.root().applicationName()).isEqualTo("flyway");
    assertThat(tree.blocked()).extracting(BlockedSession::pid).containsExactly(second.pid());
  }

  @Test
  void readsTheSameSessionsOneByOneAndInOnePass() throws Exception {
    // 40 sessions in transactions besides the stall: on a server this small the cost rule reads them in one
    // pass; both ways must see the same sessions, also for a pg_monitor-only role.
    List<Integer> idle = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      Backend busy = backends.open("app-busy-" + i, false);
      execute(busy, "SELECT " + i); // in a transaction, holding no lock on orders
      idle.add(busy.pid());
    }
    Pool watcher = TestPools.pool(vertx, pg, "watcher", "watcher");
    try {
      Stall stall = stall(watcher);
      LockSnapshot chosen = await(probe.poll(watcher));
      LockSnapshot oneByOne = await(readingAll(false).poll(watcher));
      LockSnapshot onePass = await(readingAll(true).poll(watcher));

      assertThat(onePass.byPid()).isEqualTo(oneByOne.byPid()).isEqualTo(chosen.byPid());
      assertThat(onePass.byPid()).containsKeys(stall.holder(), stall.alter())
          .containsKeys(idle.toArray(Integer[]::new));
      LockReport report = ANALYSIS.analyze(onePass);
      assertThat(report.idleInTransaction()).hasSize(41);
      assertThat(report.trees()).singleElement().satisfies(tree -> {
        assertThat(tree.root().pid()).isEqualTo(stall.holder());
        assertThat(tree.blocked()).extracting(BlockedSession::pid).contains(stall.alter())
            .containsAll(stall.readers()).hasSize(6);
      });
      assertThat(report.queues()).singleElement().satisfies(queue -> assertThat(queue.depth()).isEqualTo(5));
    } finally {
      await(watcher.close());
    }
  }

  @Test
  void leavesOutItsOwnBackendAndSeesNothingOnAQuietServer() throws Exception {
    int own = await(pool.query("SELECT pg_backend_pid() AS pid").execute()).iterator().next().getInteger("pid");
    LockSnapshot snapshot = await(probe.poll(pool));
    assertThat(snapshot.serverTime()).isNotNull();
    assertThat(snapshot.database()).isEqualTo(pg.database());
    assertThat(snapshot.byPid()).doesNotContainKey(own);
    LockReport report = ANALYSIS.analyze(snapshot);
    assertThat(report.trees()).isEmpty();
    assertThat(report.summary().waitingSessions()).isZero();
  }

  @Test
  void reportsAnUnbatchedUpdateAsALongRunningWrite() throws Exception {
    Backend backfill = backends.open("backfill", true);
    backends.start(backfill, "UPDATE orders SET v = v WHERE id <= 50 AND pg_sleep(0.2) IS NOT NULL");
    LockAnalysis analysis = new LockAnalysis(Duration.ofMillis(300), true);
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      List<RunningWrite> writes = analysis.analyze(await(probe.poll(pool))).writes();
      assertThat(writes).extracting(RunningWrite::pid).containsExactly(backfill.pid());
      RunningWrite write = writes.get(0);
      assertThat(write.command()).isEqualTo("UPDATE");
      assertThat(write.runtimeSeconds()).isGreaterThanOrEqualTo(0.3);
      assertThat(write.query()).isEqualTo("UPDATE orders SET v = v WHERE id <= ? AND pg_sleep(?) IS NOT NULL");
    });
  }

  /**
   * A fastpath function call (the protocol's FunctionCall, as pgjdbc's large-object API sends) changes no
   * {@code query_start}: an idle transaction the probe knows that waits inside one looks unchanged. It is
   * seen at the next full read of the known idle transactions, every {@code refresh}.
   */
  @Test
  @SuppressWarnings("deprecation") // the Fastpath API: the only way a client sends a FunctionCall
  void aLockWaitInsideAFastpathCallOfAKnownIdleTransactionIsSeenWithinTheRefresh() throws Exception {
    LockProbe refreshing = new LockProbe(Duration.ZERO, Duration.ofSeconds(1));
    Backends.Backend holder = backends.open("app-fastpath-holder", true);
    Backends.Backend caller = backends.open("app-fastpath-caller", false);
    Backends.execute(holder, "SELECT pg_advisory_lock(4242)");
    Backends.execute(caller, "SELECT 1");
    Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> await(refreshing.poll(pool)).byPid().get(caller.pid()), s -> s != null
            && "idle in transaction".equals(s.state()));
    int function;
    try (var rs = holder.connection().createStatement()
        .executeQuery("SELECT 'pg_advisory_lock(bigint)'::regprocedure::oid::int")) {
      rs.next();
      function = rs.getInt(1);
    }
    java.util.concurrent.ExecutorService calling = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      java.util.concurrent.Future<byte[]> call = calling.submit(() -> caller.connection()
          .unwrap(org.postgresql.PGConnection.class).getFastpathAPI()
          .fastpath(function,
              new org.postgresql.fastpath.FastpathArg[] {new org.postgresql.fastpath.FastpathArg(4242L)}));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> backends.waitingOnLock(caller.pid()));
      Session seen = Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> await(refreshing.poll(pool)).byPid().get(caller.pid()), s -> s != null && s.waitingOnLock());
      assertThat(seen.blockedBy()).containsExactly(holder.pid());
      Backends.execute(holder, "SELECT pg_advisory_unlock(4242)");
      call.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      calling.shutdownNow();
    }
  }

  private LockSnapshot poll(Pool watching, Predicate<LockSnapshot> condition) {
    return Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> await(probe.poll(watching)), condition);
  }

  /** Activity rows read in one pass ({@code true}) or one by one, whatever the cost rule says. */
  private static LockProbe readingAll(boolean readAll) {
    String rule = readAll ? "count(*) >= 0" : "count(*) < 0";
    return new LockProbe(LockProbe.TEMPLATE.replace("READ_ALL_RULE", rule), Duration.ZERO,
        LockProbe.DEFAULT_REFRESH);
  }

  private static boolean waiting(LockSnapshot snapshot, int pid) {
    Session session = snapshot.byPid().get(pid);
    // A request read from pg_locks, not only what the wait event tells (see LockProbe).
    return session != null && session.waitingOnLock() && !session.blockedBy().isEmpty()
        && session.waitingFor() != null && session.waitingFor().mode() != null && session.waitStart() != null;
  }
}
