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
import io.pgvigil.checks.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The probe that reads {@code pg_locks} once per wait episode reports what the probe that read it on every poll
 * ({@link FullLockProbe}) reports, on the same lock scenarios: trees, queues, queue cost, running DDL with
 * progress, long writes and idle transactions. The full probe polls before and after, so what grows with time lies
 * between the two: the queue cost, the longest wait, and the long writes (a statement can cross the 0.3 s threshold
 * between two polls: the row-lock chain forms 0.2 to 0.4 s after its first UPDATE, depending on the load).
 */
@ExtendWith({PostgresExtension.class, PoolExtension.class})
class LockProbeParityIT {

  private static final LockAnalysis ANALYSIS = new LockAnalysis(Duration.ofMillis(300), false);

  static TestPostgres pg;
  static Vertx vertx;
  static Pool pool;

  private final LockProbe probe = new LockProbe();
  private final FullLockProbe full = new FullLockProbe();
  private Backends backends;

  @BeforeAll
  static void setUp() throws Exception {
    Sql.execute(pg,
        "CREATE TABLE orders (id int PRIMARY KEY, v int NOT NULL)",
        "INSERT INTO orders SELECT g, 0 FROM generate_series(1, 100) g",
        "CREATE TABLE hot (id int PRIMARY KEY, v int NOT NULL)",
        "CREATE TABLE cold (id int PRIMARY KEY, v int NOT NULL)",
        "CREATE TABLE events (id int PRIMARY KEY, kind int NOT NULL)",
        "INSERT INTO events SELECT g, g % 10 FROM generate_series(1, 10000) g");
  }

  @Test
  void reportsTheStallOfAnIdleHolderAWaitingAlterAndQueuedReadersAsTheFullProbe() throws Exception {
    for (int i = 1; i <= 10; i++) {
      execute(backends.open("app-idle-" + i, false), "SELECT " + i); // idle transactions blocking nobody
    }
    LockStall stall = new LockStall(backends, "orders").hold("UPDATE orders SET v = v + 1 WHERE id = 1")
        .migrate("ALTER TABLE orders ADD COLUMN note text").queue(5).awaitQueued();
    LockReport report = compare(s -> waiters(s) == 6);
    assertThat(report.queues()).singleElement().satisfies(queue -> {
      assertThat(queue.pid()).isEqualTo(stall.alter().pid());
      assertThat(queue.depth()).isEqualTo(5);
    });
    assertThat(report.idleInTransaction()).hasSize(11);
  }

  @Test
  void reportsAQueueOnAnotherTableThanTheRequestAsTheFullProbe() throws Exception {
    Backend holder = backends.open("app-holder", false);
    execute(holder, "SELECT count(*) FROM cold");
    Backend migration = backends.open("migration", false);
    execute(migration, "ALTER TABLE hot ADD COLUMN IF NOT EXISTS note text");
    backends.start(migration, "ALTER TABLE cold ADD COLUMN IF NOT EXISTS note text");
    for (int i = 1; i <= 3; i++) {
      backends.start(backends.open("app-reader-" + i, true), "SELECT * FROM hot WHERE id = " + i);
    }
    LockReport report = compare(s -> waiters(s) == 4);
    assertThat(report.queues()).singleElement().satisfies(queue -> {
      assertThat(queue.relation()).isEqualTo("public.cold");
      assertThat(queue.queued()).extracting(QueuedSession::relation).containsOnly("public.hot");
    });
  }

  @Test
  void reportsARowLockChainAndAnAdvisoryLockAsTheFullProbe() throws Exception {
    Backend a = backends.open("a", false);
    execute(a, "UPDATE orders SET v = v + 1 WHERE id = 10");
    Backend b = backends.open("b", false);
    execute(b, "UPDATE orders SET v = v + 1 WHERE id = 11");
    backends.start(b, "UPDATE orders SET v = v + 1 WHERE id = 10");
    Backend c = backends.open("c", true);
    backends.start(c, "UPDATE orders SET v = v + 1 WHERE id = 11");
    Backend tool = backends.open("flyway", true);
    execute(tool, "SELECT pg_advisory_lock(4242)");
    backends.start(backends.open("flyway-2", true), "SELECT pg_advisory_lock(4242)");
    LockReport report = compare(s -> waiters(s) == 3 && ANALYSIS.analyze(s).writes().size() == 2);
    assertThat(report.trees()).hasSize(2);
    assertThat(report.writes()).extracting(RunningWrite::pid).containsExactlyInAnyOrder(b.pid(), c.pid());
  }

  @Test
  void reportsALongWriteAndAnIndexBuildWithItsProgressAsTheFullProbe() throws Exception {
    Backend snapshot = backends.open("report", false);
    snapshot.connection().setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    execute(snapshot, "SELECT count(*) FROM orders");
    Backend build = backends.open("migration", true);
    backends.start(build, "CREATE INDEX CONCURRENTLY events_kind_idx ON events (kind)");
    Backend backfill = backends.open("backfill", true);
    backends.start(backfill, "UPDATE orders SET v = v WHERE id <= 50 AND pg_sleep(0.2) IS NOT NULL");
    LockReport report = compare(s -> {
      LockReport r = ANALYSIS.analyze(s);
      return r.writes().size() == 1 && r.ddl().stream().anyMatch(d -> d.progress() != null
          && "waiting for old snapshots".equals(d.progress().phase()));
    });
    assertThat(report.ddl()).extracting(RunningDdl::pid).containsExactly(build.pid());
    assertThat(report.writes()).extracting(RunningWrite::pid).containsExactly(backfill.pid());
  }

  /** Waits until both probes see the scenario, then compares a poll of the new one with its neighbours. */
  private LockReport compare(Predicate<LockSnapshot> formed) throws Exception {
    Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
        .until(() -> formed.test(await(full.poll(pool))) && formed.test(read(await(probe.poll(pool)))));
    LockReport before = ANALYSIS.analyze(await(full.poll(pool)));
    LockReport cached = ANALYSIS.analyze(await(probe.poll(pool)));
    LockReport after = ANALYSIS.analyze(await(full.poll(pool)));

    assertThat(shape(cached)).isEqualTo(shape(before)).isEqualTo(shape(after));
    // A write is long once it has run the threshold: one the full probe saw before is long now, one it sees
    // after may have crossed the threshold since.
    assertThat(writes(cached)).containsAll(writes(before));
    assertThat(writes(after)).containsAll(writes(cached));
    for (int i = 0; i < cached.queues().size(); i++) {
      assertThat(cached.queues().get(i).costSeconds())
          .isBetween(before.queues().get(i).costSeconds(), after.queues().get(i).costSeconds());
    }
    assertThat(cached.summary().maxLockWaitSeconds())
        .isBetween(before.summary().maxLockWaitSeconds(), after.summary().maxLockWaitSeconds());
    return cached;
  }

  /** The snapshot, if every waiter's request has been read from pg_locks; else one that forms nothing. */
  private static LockSnapshot read(LockSnapshot snapshot) {
    boolean read = snapshot.sessions().stream().filter(Session::waitingOnLock)
        .allMatch(s -> s.waitingFor() != null && s.waitingFor().mode() != null);
    return read ? snapshot : new LockSnapshot(snapshot.serverTime(), snapshot.database(), List.of());
  }

  /** Everything but the ages, which move between polls, and the long writes, which cross their threshold. */
  private static List<Object> shape(LockReport report) {
    return List.of(
        report.trees().stream().map(t -> List.of(t.root().pid(), String.valueOf(t.root().state()), t.maxDepth(),
            t.blocked().stream().map(b -> List.of(b.pid(), b.depth(), String.valueOf(b.locktype()),
                String.valueOf(b.mode()), String.valueOf(b.relation()), b.blockedBy())).toList()))
            .toList(),
        report.queues().stream().map(q -> List.of(q.pid(), q.mode(), q.relation(), q.depth(), q.blockedBy(),
            q.queued().stream().map(s -> List.of(s.pid(), s.mode(), String.valueOf(s.relation()))).sorted(
                (x, y) -> Integer.compare((Integer) x.get(0), (Integer) y.get(0))).toList()))
            .toList(),
        report.ddl().stream().map(d -> List.of(d.pid(), d.command(), String.valueOf(d.waitEventType()),
            String.valueOf(d.progress() == null ? null : d.progress().phase()),
            String.valueOf(d.progress() == null ? null : d.progress().index()))).toList(),
        report.idleInTransaction().stream().map(i -> List.of(i.pid(), i.blocking())).toList(),
        List.of(report.summary().waitingSessions(), report.summary().rootBlockers(),
            report.summary().maxQueueDepth()));
  }

  private static List<Integer> writes(LockReport report) {
    return report.writes().stream().map(RunningWrite::pid).toList();
  }

  private static long waiters(LockSnapshot snapshot) {
    return snapshot.sessions().stream().filter(s -> s.waitingOnLock() && !s.blockedBy().isEmpty()).count();
  }
}
