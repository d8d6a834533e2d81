package io.pgvigil.daemon.killswitch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.alerts.testing.MutableClock;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The second chance and once-per-window, in dry-run (which touches no database) or against no server at all. */
class KillSwitchTest {

  private final Vertx vertx = Vertx.vertx();
  private final WindowRegistry windows = new WindowRegistry(Clock.systemUTC());
  private final AbortLog log = new AbortLog(new SimpleMeterRegistry());
  private final KillSwitch killSwitch = new KillSwitch("app",
      new KillSwitchConfig(KillSwitchConfig.Mode.DRY_RUN,
          List.of(new KillSwitchConfig.ExecHook(List.of("/bin/true"))),
          KillSwitchConfig.Terminate.NONE, Optional.empty()),
      windows, log, Clock.systemUTC());

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static RuleVerdict abort(double value) {
    return new RuleVerdict("app", RuleKind.LOCK_QUEUE, "", RuleVerdict.Level.ABORT, value, 2,
        Instant.now(), true, List.of(), Map.of());
  }

  private void poll(RuleVerdict... verdicts) throws Exception {
    killSwitch.evaluated(Source.LOCKS, List.of(verdicts), null, vertx, null).await(10, TimeUnit.SECONDS);
  }

  /** An abort from a lock poll that saw {@code locks}. */
  private void abortWith(LockReport locks) throws Exception {
    killSwitch.evaluated(Source.LOCKS, List.of(abort(5)), locks, vertx, null).await(10, TimeUnit.SECONDS);
  }

  /** A DDL request (pid 2) waiting behind an idle transaction, nobody queued behind it yet. */
  private static LockReport ddlAlone() {
    return new LockScene().idle(1, 60).waitsForTable(2, "AccessExclusiveLock", 30, 1).report();
  }

  /** The same DDL request with a reader (pid 3) queued behind it. */
  private static LockReport ddlQueued() {
    return new LockScene().idle(1, 60)
        .waitsForTable(2, "AccessExclusiveLock", 30, 1).waitsForTable(3, "AccessShareLock", 5, 2).report();
  }

  @Test
  void aOnePollSpikeNeverAborts() throws Exception {
    windows.openAuto("app", "flyway", 42, OffsetDateTime.now(), true, Set.of(42), Duration.ofHours(1));
    poll(abort(5));
    poll();
    poll(abort(5));
    poll();
    assertThat(log.recent()).isEmpty();
  }

  @Test
  void theSecondFreshPollActsOncePerWindow() throws Exception {
    windows.openAuto("app", "flyway", 42, OffsetDateTime.now(), true, Set.of(42), Duration.ofHours(1));
    poll(abort(5));
    assertThat(log.recent()).isEmpty();
    poll(abort(6));
    assertThat(log.recent()).extracting(AbortDecision::action, AbortDecision::result)
        .containsExactlyInAnyOrder(tuple("cancel", "dry-run"),
            tuple("hook", "dry-run"));
    poll(abort(7));
    poll(abort(8));
    assertThat(log.recent()).hasSize(2);
  }

  @Test
  void aCancelThatNeverReachedTheServerIsSentAgainAtTheNextPollWithoutTheHooks() throws Exception {
    KillSwitch cancelling = new KillSwitch("app",
        new KillSwitchConfig(KillSwitchConfig.Mode.CANCEL,
            List.of(new KillSwitchConfig.ExecHook(List.of("/bin/true"))),
            KillSwitchConfig.Terminate.NONE, Optional.empty()),
        windows, log, Clock.systemUTC());
    // Nothing listens on port 1: every signal fails to connect, without a SQLSTATE.
    Pool unreachable = PgBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(1))
        .using(vertx).build();
    windows.openAuto("app", "flyway", 42, OffsetDateTime.now(), true, Set.of(42), Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      cancelling.evaluated(Source.LOCKS, List.of(abort(5)), null, vertx, unreachable).await(10, TimeUnit.SECONDS);
    }
    assertThat(log.recent()).extracting(AbortDecision::action, AbortDecision::result)
        .containsExactlyInAnyOrder(tuple("cancel", "failed"), tuple("cancel", "failed"), tuple("hook", "ok"));
  }

  @Test
  void aPipelinesWindowAndTheAutomaticWindowOfOneMigrationAreOneAbort() throws Exception {
    windows.open("app", Duration.ofMinutes(30), "deploy 42", WindowRegistry.IN_WINDOW);
    windows.openAuto("app", "flyway", 42, OffsetDateTime.now(), true, Set.of(42), Duration.ofHours(1));
    windows.open("app", Duration.ofMinutes(30), "watching only", "always");
    poll(abort(5));
    poll(abort(5));
    assertThat(log.recent()).extracting(AbortDecision::action, AbortDecision::pid)
        .containsExactlyInAnyOrder(tuple("cancel", 42),
            tuple("hook", 42));
  }

  @Test
  void anApiWindowCancelsNothingWhenOnlyApplicationSessionsBlockEachOther() throws Exception {
    windows.open("app", Duration.ofMinutes(30), "deploy 42", WindowRegistry.IN_WINDOW);
    LockReport rowLocks = new LockScene().idle(1, 60)
        .waitsForRow(2, "transactionid", 30, 1).waitsForRow(3, "tuple", 20, 2).report();
    abortWith(rowLocks);
    abortWith(rowLocks);
    assertThat(log.recent()).extracting(AbortDecision::action).containsExactly("hook");
  }

  @Test
  void anApiWindowCancelsTheWaitingDdlRequestThatHasAQueue() throws Exception {
    windows.open("app", Duration.ofMinutes(30), "deploy 42", WindowRegistry.IN_WINDOW);
    LockReport stall = new LockScene().idle(1, 60)
        .waitsForTable(2, "AccessExclusiveLock", 30, 1).waitsForTable(3, "AccessShareLock", 20, 2)
        .idle(10, 90).waitsForRow(11, "transactionid", 80, 10).report();
    abortWith(stall);
    abortWith(stall);
    assertThat(log.recent()).extracting(AbortDecision::action, AbortDecision::pid, AbortDecision::result)
        .containsExactlyInAnyOrder(tuple("cancel", 2, "dry-run"),
            tuple("hook", null, "dry-run"));
    assertThat(log.recent()).filteredOn(d -> d.action().equals("cancel")).extracting(AbortDecision::request)
        .containsExactly(new StalledRequest(2, "public.t", "AccessExclusiveLock", 1));
  }

  @Test
  void anApiWindowThatAbortedBeforeAnyoneQueuedStillCancelsTheFirstStallSeenLaterOnce() throws Exception {
    windows.open("app", Duration.ofMinutes(30), "deploy 42", WindowRegistry.IN_WINDOW);
    abortWith(ddlAlone());
    abortWith(ddlAlone());
    assertThat(log.recent()).extracting(AbortDecision::action).containsExactly("hook");

    abortWith(ddlQueued());
    abortWith(ddlQueued());
    assertThat(log.recent()).extracting(AbortDecision::action, AbortDecision::pid).containsExactly(
        tuple("cancel", 2), tuple("hook", null));
  }

  @Test
  void anApiWindowOpenedBesideAWindowThatRecordsTheMigrationGuessesAtNoOtherRequest() throws Exception {
    windows.openAuto("app", "flyway", 42, OffsetDateTime.now(), true, Set.of(42), Duration.ofHours(1));
    poll(abort(5));
    poll(abort(5));
    // The pipeline's window opens after flyway's was acted on; another DDL request now has a queue.
    windows.open("app", Duration.ofMinutes(30), "deploy 42", WindowRegistry.IN_WINDOW);
    LockReport stall = new LockScene().idle(1, 60)
        .waitsForTable(2, "AccessExclusiveLock", 30, 1).waitsForTable(3, "AccessShareLock", 20, 2).report();
    abortWith(stall);
    abortWith(stall);
    assertThat(log.recent()).extracting(AbortDecision::action, AbortDecision::pid).containsExactlyInAnyOrder(
        tuple("cancel", 42), tuple("hook", 42),
        tuple("hook", null));
  }

  @Test
  void aStallIsCancelledOncePerDeployEvenWhenAnOlderWindowStillAwaitedOne() throws Exception {
    windows.open("app", Duration.ofMinutes(30), "deploy 42", WindowRegistry.IN_WINDOW);
    abortWith(ddlAlone());
    abortWith(ddlAlone());
    // A second window of the same deploy: its abort cancels the stall, which the first window awaited too.
    windows.open("app", Duration.ofMinutes(30), "deploy 42, retried", WindowRegistry.IN_WINDOW);
    abortWith(ddlQueued());
    abortWith(ddlQueued());
    abortWith(ddlQueued());
    assertThat(log.recent()).extracting(AbortDecision::action, AbortDecision::pid).containsExactly(
        tuple("hook", null), tuple("cancel", 2),
        tuple("hook", null));
  }

  @Test
  void anAbortFromTheReplicationPollCancelsNoDdlRequestInAnApiWindow() throws Exception {
    windows.open("app", Duration.ofMinutes(30), "deploy 42", WindowRegistry.IN_WINDOW);
    LockReport stall = new LockScene().idle(1, 60)
        .waitsForTable(2, "AccessExclusiveLock", 30, 1).waitsForTable(3, "AccessShareLock", 20, 2).report();
    RuleVerdict lag = new RuleVerdict("app", RuleKind.REPLICATION_LAG, "replica-1", RuleVerdict.Level.ABORT, 90, 60,
        Instant.now(), true, List.of(), Map.of());
    // A stall handed along with the replication poll's verdicts is not that poll's to cancel.
    killSwitch.evaluated(Source.REPLICATION, List.of(lag), stall, vertx, null).await(10, TimeUnit.SECONDS);
    killSwitch.evaluated(Source.REPLICATION, List.of(lag), stall, vertx, null).await(10, TimeUnit.SECONDS);
    assertThat(log.recent()).extracting(AbortDecision::action).containsExactly("hook");
  }

  @Test
  void theDeadManSwitchFiresOncePerWindowWhenPollsStop() throws Exception {
    MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    WindowRegistry windows = new WindowRegistry(clock);
    KillSwitch deadMan = new KillSwitch("app", new KillSwitchConfig(KillSwitchConfig.Mode.DRY_RUN,
        List.of(new KillSwitchConfig.ExecHook(List.of("/bin/true"))), KillSwitchConfig.Terminate.NONE,
        Optional.of(Duration.ofSeconds(30))), windows, log, clock);
    // Polls stopped 20 s before the window opened: the switch counts from the opening.
    clock.advance(Duration.ofSeconds(20));
    windows.open("app", Duration.ofHours(1), "deploy", "in-window");
    clock.advance(Duration.ofSeconds(29));
    deadMan.deadManTick(vertx).await(10, TimeUnit.SECONDS);
    assertThat(log.recent()).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    deadMan.deadManTick(vertx).await(10, TimeUnit.SECONDS);
    deadMan.deadManTick(vertx).await(10, TimeUnit.SECONDS);
    assertThat(log.recent()).singleElement().satisfies(d -> {
      assertThat(d.rule()).isEqualTo(DeadManSwitch.RULE);
      assertThat(d.result()).isEqualTo("dry-run");
    });
    // A fresh lock poll resets the switch's clock.
    deadMan.evaluated(Source.LOCKS, List.of(), new LockScene().report(), vertx, null).await(10, TimeUnit.SECONDS);
    deadMan.deadManTick(vertx).await(10, TimeUnit.SECONDS);
    assertThat(log.recent()).hasSize(1);
  }
}
