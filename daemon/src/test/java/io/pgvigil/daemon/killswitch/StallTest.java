package io.pgvigil.daemon.killswitch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.locks.LockQueue;
import io.pgvigil.checks.locks.RootBlocker;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StallTest {

  @Test
  void aRowLockWaitBetweenApplicationSessionsIsNoStall() {
    LockScene scene = new LockScene().idle(1, 60).waitsForRow(2, "transactionid", 30).waitsForRow(3, "tuple", 20, 2);

    Stall stall = Stall.ofDdlQueues(scene.report());

    assertThat(stall.requests()).isEmpty();
    assertThat(stall.idleRoots()).isEmpty();
  }

  @Test
  void aDdlRequestWithNobodyQueuedBehindItIsNoStall() {
    // The holder took LOCK t IN SHARE MODE; a writer and then a DDL request wait for it, nobody behind them.
    LockScene scene = new LockScene().idle(1, 60)
        .waitsForTable(2, "RowExclusiveLock", 30, 1)
        .waitsForTable(3, "ShareRowExclusiveLock", 20, 1, 2);

    Stall stall = Stall.ofDdlQueues(scene.report());

    assertThat(stall.requests()).isEmpty();
    assertThat(stall.idleRoots()).isEmpty();
  }

  @Test
  void aDdlRequestWithAQueueIsTheStallAndOnlyItsIdleRootsMayBeTerminated() {
    LockScene scene = new LockScene()
        .idle(1, 60).waitsForTable(2, "AccessExclusiveLock", 30, 1).waitsForTable(3, "AccessShareLock", 20, 2)
        // Elsewhere, an application session blocks another one on a row.
        .idle(10, 90).waitsForRow(11, "transactionid", 80, 10);

    Stall stall = Stall.ofDdlQueues(scene.report());

    assertThat(stall.requests()).extracting(LockQueue::pid).containsExactly(2);
    assertThat(stall.requests().get(0).backendStart()).isNotNull();
    assertThat(stall.idleRoots()).extracting(RootBlocker::pid).containsExactly(1);
  }

  @Test
  void theRootIsFoundThroughTheSessionsBetweenItAndTheRequest() {
    // 2 updated t and waits for 1's row; the ALTER waits for 2's lock on t; a reader queues behind the ALTER.
    LockScene scene = new LockScene().idle(1, 60)
        .waitsForRow(2, "transactionid", 50, 1)
        .waitsForTable(3, "AccessExclusiveLock", 40, 2)
        .waitsForTable(4, "AccessShareLock", 30, 3);

    Stall stall = Stall.ofDdlQueues(scene.report());

    assertThat(stall.requests()).extracting(LockQueue::pid).containsExactly(3);
    assertThat(stall.idleRoots()).extracting(RootBlocker::pid).containsExactly(1);
    assertThat(stall.heldUpBy(stall.idleRoots().get(0), scene.report())).get().extracting(LockQueue::pid)
        .isEqualTo(3);
  }

  @Test
  void aMigrationWaitingOnItsSecondTableStallsTheReadersOfTheFirst() {
    // ALTER TABLE hot went through; ALTER TABLE cold waits for an idle transaction; readers of hot wait for
    // the migration's AccessExclusiveLock on hot, some since before its request on cold.
    LockScene scene = new LockScene().idle(1, 60)
        .waitsFor(2, "public.cold", "AccessExclusiveLock", 5, 1)
        .waitsFor(3, "public.hot", "AccessShareLock", 8, 2)
        .waitsFor(4, "public.hot", "AccessShareLock", 2, 2);

    Stall stall = Stall.ofDdlQueues(scene.report());

    assertThat(stall.requests()).singleElement().satisfies(request -> {
      assertThat(request.pid()).isEqualTo(2);
      assertThat(request.relation()).isEqualTo("public.cold");
      assertThat(request.depth()).isEqualTo(2);
    });
    assertThat(stall.idleRoots()).extracting(RootBlocker::pid).containsExactly(1);
  }

  @Test
  void aRecordedMigrationBackendNeedsNoQueueButOnlyItsOwnTreesCount() {
    LockScene scene = new LockScene()
        .idle(1, 60).waitsForTable(2, "AccessExclusiveLock", 30, 1)
        .idle(10, 90).waitsForRow(11, "transactionid", 80, 10).waitsForRow(12, "tuple", 70, 11);

    Stall stall = Stall.ofMigration(scene.report(), Set.of(2));

    assertThat(stall.requests()).isEmpty();
    assertThat(stall.idleRoots()).extracting(RootBlocker::pid).containsExactly(1);
    assertThat(stall.heldUpBy(stall.idleRoots().get(0), scene.report())).isEmpty();
  }
}
