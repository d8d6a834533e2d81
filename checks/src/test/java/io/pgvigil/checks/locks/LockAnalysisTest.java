package io.pgvigil.checks.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockAnalysisTest {

  private static final LockAnalysis ANALYSIS =
      new LockAnalysis(LockAnalysis.DEFAULT_WRITE_THRESHOLD, false);

  private static final OffsetDateTime NOW = OffsetDateTime.parse("2025-06-01T12:00:00Z");

  private final List<Session> sessions = new ArrayList<>();

  private LockSnapshot snapshot() {
    return new LockSnapshot(NOW, "app", sessions);
  }

  private void idleInTransaction(int pid, int idleSeconds) {
    sessions.add(new Session(pid, "app", "web", "app", "client backend", "idle in transaction",
        NOW.minusHours(1), NOW.minusSeconds(idleSeconds + 1), NOW.minusSeconds(idleSeconds + 1),
        NOW.minusSeconds(idleSeconds), "Client", "ClientRead", "UPDATE t SET v = 1 WHERE id = 7", List.of(), null,
        null));
  }

  private void waiting(int pid, String mode, int waitedSeconds, String query, Integer... blockedBy) {
    sessions.add(new Session(pid, "app", "web", "app", "client backend", "active",
        NOW.minusHours(1), NOW.minusSeconds(waitedSeconds), NOW.minusSeconds(waitedSeconds),
        NOW.minusSeconds(waitedSeconds), "Lock", "relation", query, List.of(blockedBy),
        new LockRequest("relation", "public.t", mode, NOW.minusSeconds(waitedSeconds)), null));
  }

  /** A session waiting for a row: on the holder's transaction id, or (next in line) on the tuple. */
  private void waitingForRow(int pid, String locktype, String mode, int waitedSeconds, Integer... blockedBy) {
    sessions.add(new Session(pid, "app", "web", "app", "client backend", "active",
        NOW.minusHours(1), NOW.minusSeconds(waitedSeconds), NOW.minusSeconds(waitedSeconds),
        NOW.minusSeconds(waitedSeconds), "Lock", locktype, "UPDATE t SET v = 2 WHERE id = 7", List.of(blockedBy),
        new LockRequest(locktype, null, mode, NOW.minusSeconds(waitedSeconds)), null));
  }

  private void waitingOn(int pid, String relation, String mode, int waitedSeconds, String query,
      Integer... blockedBy) {
    sessions.add(new Session(pid, "app", "web", "app", "client backend", "active",
        NOW.minusHours(1), NOW.minusSeconds(waitedSeconds), NOW.minusSeconds(waitedSeconds),
        NOW.minusSeconds(waitedSeconds), "Lock", "relation", query, List.of(blockedBy),
        new LockRequest("relation", relation, mode, NOW.minusSeconds(waitedSeconds)), null));
  }

  private void active(int pid, String query, int runningSeconds, Progress progress) {
    sessions.add(new Session(pid, "app", "job", "app", "client backend", "active",
        NOW.minusHours(1), NOW.minusSeconds(runningSeconds), NOW.minusSeconds(runningSeconds),
        NOW.minusSeconds(runningSeconds), null, null, query, List.of(), null, progress));
  }

  @Test
  void walksFromReadersThroughTheWaitingAlterToTheIdleHolder() {
    idleInTransaction(100, 30);
    waiting(200, "AccessExclusiveLock", 20, "ALTER TABLE t ADD COLUMN c int", 100);
    waiting(301, "AccessShareLock", 10, "SELECT * FROM t", 200);
    waiting(302, "AccessShareLock", 5, "SELECT * FROM t", 200);

    LockReport report = ANALYSIS.analyze(snapshot());

    assertThat(report.trees()).hasSize(1);
    BlockingTree tree = report.trees().get(0);
    assertThat(tree.root().pid()).isEqualTo(100);
    assertThat(tree.root().stateSeconds()).isEqualTo(30);
    assertThat(tree.blocked()).extracting(BlockedSession::pid, BlockedSession::depth)
        .containsExactly(tuple(200, 1), tuple(301, 2), tuple(302, 2));
    assertThat(report.queues()).singleElement().satisfies(queue -> {
      assertThat(queue.pid()).isEqualTo(200);
      assertThat(queue.depth()).isEqualTo(2);
      assertThat(queue.costSeconds()).isEqualTo(15);
      assertThat(queue.queued()).extracting(QueuedSession::pid).containsExactly(301, 302);
    });
    LockSummary summary = report.summary();
    assertThat(summary).isEqualTo(new LockSummary(3, 1, 20, 2, 15, 30, 20, 0, 0));
    assertThat(report.ddl()).extracting(RunningDdl::pid, RunningDdl::command)
        .containsExactly(tuple(200, "ALTER TABLE"));
  }

  @Test
  void putsAWaiterWithTwoBlockersInBothTreesAtItsShallowestDepth() {
    idleInTransaction(1, 10);
    idleInTransaction(2, 5);
    waiting(3, "AccessExclusiveLock", 4, "ALTER TABLE t ADD c int", 1, 2);
    waiting(4, "RowExclusiveLock", 3, "UPDATE t SET v = 2", 3, 1);

    List<BlockingTree> trees = ANALYSIS.analyze(snapshot()).trees();

    assertThat(trees).extracting(tree -> tree.root().pid()).containsExactly(1, 2);
    assertThat(trees.get(0).blocked()).extracting(BlockedSession::pid, BlockedSession::depth)
        .containsExactly(tuple(3, 1), tuple(4, 1));
    assertThat(trees.get(1).blocked()).extracting(BlockedSession::pid, BlockedSession::depth)
        .containsExactly(tuple(3, 1), tuple(4, 2));
  }

  @Test
  void endsOnACycleAndReportsItAsAWaitingRoot() {
    waiting(10, "ShareLock", 2, "UPDATE t SET v = 1 WHERE id = 2", 11);
    waiting(11, "ShareLock", 1, "UPDATE t SET v = 1 WHERE id = 1", 10);

    LockReport report = ANALYSIS.analyze(snapshot());

    assertThat(report.trees()).singleElement().satisfies(tree -> {
      assertThat(tree.root().pid()).isEqualTo(10);
      assertThat(tree.root().waiting()).isTrue();
      assertThat(tree.blocked()).extracting(BlockedSession::pid).containsExactly(11);
    });
    assertThat(report.summary().rootBlockers()).isZero();
  }

  @Test
  void namesAPreparedTransactionAsRootWhenNoSessionHoldsTheLock() {
    waiting(20, "AccessExclusiveLock", 3, "ALTER TABLE t ADD c int", 0);

    BlockingTree tree = ANALYSIS.analyze(snapshot()).trees().get(0);

    assertThat(tree.root())
        .isEqualTo(new RootBlocker(0, null, null, "prepared transaction", null, 0, 0, null, false, null));
  }

  @Test
  void queuesOnlyLaterArrivalsBehindStrongRequests() {
    idleInTransaction(1, 60);
    waiting(2, "RowExclusiveLock", 50, "UPDATE t SET v = 1", 1);
    waiting(3, "ShareRowExclusiveLock", 40, "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u", 1, 2);
    waiting(4, "RowExclusiveLock", 30, "INSERT INTO t VALUES (1)", 3);

    List<LockQueue> queues = ANALYSIS.analyze(snapshot()).queues();

    assertThat(queues).extracting(LockQueue::pid, LockQueue::depth, LockQueue::costSeconds)
        .containsExactly(tuple(3, 1, 30.0));
  }

  @Test
  void aRowLockWaitBetweenApplicationSessionsIsNoLockQueue() {
    // UPDATE waits for the idle holder's transaction (a ShareLock on its transaction id); a second UPDATE of
    // the same row waits for the first on the tuple. Blocking, but no DDL anywhere.
    idleInTransaction(1, 20);
    waitingForRow(2, "transactionid", "ShareLock", 10, 1);
    waitingForRow(3, "tuple", "ExclusiveLock", 5, 2);

    LockReport report = ANALYSIS.analyze(snapshot());

    assertThat(report.queues()).isEmpty();
    assertThat(report.summary().maxQueueDepth()).isZero();
    assertThat(report.trees()).singleElement().satisfies(tree -> {
      assertThat(tree.root().pid()).isEqualTo(1);
      assertThat(tree.blocked()).extracting(BlockedSession::pid).containsExactly(2, 3);
    });
  }

  @Test
  void aDdlRequestWithNobodyBehindItIsListedButDoesNotStall() {
    idleInTransaction(1, 20);
    waiting(2, "AccessExclusiveLock", 10, "ALTER TABLE t ADD c int", 1);

    LockReport report = ANALYSIS.analyze(snapshot());

    assertThat(report.queues()).singleElement().satisfies(queue -> {
      assertThat(queue.pid()).isEqualTo(2);
      assertThat(queue.depth()).isZero();
      assertThat(queue.stalls()).isFalse();
      assertThat(queue.backendStart()).isEqualTo(NOW.minusHours(1));
    });
  }

  @Test
  void queuesTheWaitersForATableTheWaitingTransactionAlreadyLockedBehindItsRequest() {
    // A migration ran ALTER TABLE hot (granted: AccessExclusiveLock on hot, kept) and now waits in
    // ALTER TABLE cold for an idle transaction. Readers of hot wait for the migration, some since before its
    // request on cold began (ALTER TABLE hot took a while).
    idleInTransaction(1, 60);
    waitingOn(2, "public.cold", "AccessExclusiveLock", 5, "ALTER TABLE cold ADD c int", 1);
    waitingOn(3, "public.hot", "AccessShareLock", 8, "SELECT * FROM hot", 2);
    waitingOn(4, "public.hot", "RowExclusiveLock", 4, "INSERT INTO hot VALUES (1)", 2);
    waitingOn(5, "public.cold", "AccessShareLock", 3, "SELECT * FROM cold", 2);
    // Waits for a row the migration's transaction updated earlier: it names the migration, but it is a row
    // lock wait, not queued behind the request.
    waitingForRow(6, "transactionid", "ShareLock", 40, 2);

    LockReport report = ANALYSIS.analyze(snapshot());

    assertThat(report.queues()).singleElement().satisfies(queue -> {
      assertThat(queue.pid()).isEqualTo(2);
      assertThat(queue.relation()).isEqualTo("public.cold");
      assertThat(queue.depth()).isEqualTo(3);
      assertThat(queue.costSeconds()).isEqualTo(15);
      assertThat(queue.queued()).extracting(QueuedSession::pid, QueuedSession::relation, QueuedSession::mode)
          .containsExactly(tuple(3, "public.hot", "AccessShareLock"), tuple(4, "public.hot", "RowExclusiveLock"),
              tuple(5, "public.cold", "AccessShareLock"));
      assertThat(queue.stalls()).isTrue();
    });
    assertThat(report.summary().maxQueueDepth()).isEqualTo(3);
  }

  @Test
  void queuesOnlyTheSessionsThatNameTheRequestingBackend() {
    // Two migrations-to-be, each waiting for its own idle holder; readers queue behind one of them only.
    idleInTransaction(1, 60);
    idleInTransaction(2, 60);
    waitingOn(3, "public.a", "AccessExclusiveLock", 20, "ALTER TABLE a ADD c int", 1);
    waitingOn(4, "public.b", "AccessExclusiveLock", 20, "ALTER TABLE b ADD c int", 2);
    waitingOn(5, "public.a", "AccessShareLock", 10, "SELECT * FROM a", 3);
    waitingOn(6, "public.c", "AccessShareLock", 10, "SELECT * FROM c", 3);

    List<LockQueue> queues = ANALYSIS.analyze(snapshot()).queues();

    assertThat(queues).extracting(LockQueue::pid, LockQueue::depth).containsExactly(tuple(3, 2), tuple(4, 0));
  }

  @Test
  void aShareUpdateExclusiveRequestIsADdlRequestAndAWeakerOneIsNot() {
    idleInTransaction(1, 60);
    waiting(2, "ShareUpdateExclusiveLock", 50, "ALTER TABLE t VALIDATE CONSTRAINT t_v_check", 1);
    waiting(3, "ShareLock", 40, "CREATE INDEX t_v_idx ON t (v)", 2, 1);
    waiting(4, "RowExclusiveLock", 30, "UPDATE t SET v = 1", 3);

    List<LockQueue> queues = ANALYSIS.analyze(snapshot()).queues();

    assertThat(queues).extracting(LockQueue::pid, LockQueue::mode, LockQueue::depth).containsExactlyInAnyOrder(
        tuple(2, "ShareUpdateExclusiveLock", 1), tuple(3, "ShareLock", 1));
  }

  @Test
  void reportsRunningDdlWithProgressAndOnlyWritesOverTheThreshold() {
    Progress progress = Progress.of("CREATE INDEX CONCURRENTLY", "building index: scanning table", 250L, 1000L,
        null, null, "public.t", "public.t_v_idx");
    active(40, "CREATE INDEX CONCURRENTLY t_v_idx ON t (v)", 90, progress);
    active(41, "UPDATE t SET v = v + 1 WHERE created < '2020-01-01'", 15, null);
    active(42, "DELETE FROM t WHERE id = 3", 2, null);
    active(43, "SELECT pg_sleep(100)", 100, null);

    LockReport report = new LockAnalysis(Duration.ofSeconds(10), true).analyze(snapshot());

    assertThat(report.ddl()).singleElement().satisfies(ddl -> {
      assertThat(ddl.command()).isEqualTo("CREATE INDEX CONCURRENTLY");
      assertThat(ddl.progress().percent()).isEqualTo(25.0);
      assertThat(ddl.runtimeSeconds()).isEqualTo(90);
    });
    assertThat(report.writes()).singleElement().satisfies(write -> {
      assertThat(write.pid()).isEqualTo(41);
      assertThat(write.query()).isEqualTo("UPDATE t SET v = v + ? WHERE created < ?");
    });
    assertThat(report.summary().ddlMaxSeconds()).isEqualTo(90);
    assertThat(report.summary().writeMaxSeconds()).isEqualTo(15);
  }

  @Test
  void ignoresSessionsOfOtherDatabasesExceptAsBlockers() {
    sessions.add(new Session(50, "app", "web", "other", "client backend", "idle in transaction", NOW, NOW, NOW,
        NOW.minusSeconds(100), null, null, "SELECT 1", List.of(), null, null));
    waiting(51, "AccessExclusiveLock", 5, "ALTER TABLE t ADD c int", 50);

    LockReport report = ANALYSIS.analyze(snapshot());

    assertThat(report.summary().idleInTransactionMaxSeconds()).isZero();
    assertThat(report.trees().get(0).root().pid()).isEqualTo(50);
  }

  @Test
  void computesPercentFromBlocksElseTuples() {
    assertThat(Progress.of("CLUSTER", "seq scanning heap", 5L, 0L, 30L, 120L, null, null).percent()).isEqualTo(25.0);
    assertThat(Progress.of("CLUSTER", "seq scanning heap", 0L, 0L, 30L, null, null, null).percent()).isNull();
  }
}
