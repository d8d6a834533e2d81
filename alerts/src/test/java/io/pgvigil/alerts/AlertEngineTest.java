package io.pgvigil.alerts;

import static io.pgvigil.alerts.Fixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertEngineTest {

  /** A sink that accepts everything and remembers it. */
  static final class RecordingSink implements Sink {
    final String name;
    final boolean groups;
    final List<Notification> received = new CopyOnWriteArrayList<>();

    RecordingSink(String name, boolean groups) {
      this.name = name;
      this.groups = groups;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean groupsAlerts() {
      return groups;
    }

    @Override
    public int maxBatch() {
      return 1;
    }

    @Override
    public RateLimit rateLimit() {
      return RateLimit.NONE;
    }

    @Override
    public Future<Void> send(List<Notification> batch) {
      received.addAll(batch);
      return Future.succeededFuture();
    }

    List<String> statuses() {
      return received.stream().flatMap(n -> n.alerts().stream())
          .map(a -> a.key() + ":" + a.status().wireName()).toList();
    }
  }

  @TempDir
  Path spool;
  private Fixture fx;
  private final RecordingSink chat = new RecordingSink("chat", true);
  private final RecordingSink pager = new RecordingSink("pager", false);
  private DeliveryQueue queue;
  private AlertEngine engine;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture();
    queue = fx.queue(spool, 100, chat, pager);
    engine = new AlertEngine(fx.clock, queue, List.of(Fixture.routeAll("chat"),
        new Route("pager", Set.of(Severity.CRITICAL), Set.of("app"))), Duration.ofMinutes(5), true);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(queue.close());
    fx.close();
  }

  @Test
  void sendsOnFireRepeatsEveryRepeatIntervalAndResolvesOnce() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.WARNING, fx.clock.instant());
    engine.fire(a);
    await(engine.tick());
    fx.clock.advance(Duration.ofMinutes(4));
    engine.fire(a); // still firing: no new message before the repeat interval
    await(engine.tick());
    await().during(Duration.ofMillis(100)).until(() -> chat.received.size() == 1);
    fx.clock.advance(Duration.ofMinutes(1));
    await(engine.tick());
    await().until(() -> chat.received.size() == 2);
    engine.resolve(a.key());
    await(engine.tick());
    await(engine.tick());
    await().until(() -> chat.received.size() == 3);
    await().during(Duration.ofMillis(100)).until(() -> chat.received.size() == 3);

    assertThat(chat.statuses()).containsExactly("app/lockWait/t:firing", "app/lockWait/t:firing",
        "app/lockWait/t:resolved");
    Alert resolved = chat.received.get(2).alerts().get(0);
    assertThat(resolved.startsAt()).isEqualTo(a.startsAt());
    assertThat(resolved.endsAt()).isEqualTo(fx.clock.instant());
    assertThat(engine.firing()).isEmpty();
    assertThat(engine.recentlyResolved()).extracting(Alert::key).containsExactly(a.key());
    assertThat(pager.received).isEmpty(); // a warning does not page
  }

  @Test
  void groupsAlertsOfOneTargetAndRoutesBySeverityAndTarget() throws Exception {
    engine.fire(Fixture.lockAlert("app", "t1", Severity.CRITICAL, fx.clock.instant()));
    engine.fire(Fixture.lockAlert("app", "t2", Severity.CRITICAL, fx.clock.instant()));
    engine.fire(Fixture.lockAlert("billing", "t3", Severity.CRITICAL, fx.clock.instant()));
    await(engine.tick());
    await().until(() -> chat.received.size() == 2 && pager.received.size() == 2);

    assertThat(chat.received.get(0).alerts()).extracting(Alert::object)
        .containsExactly("t1", "t2");
    assertThat(chat.received.get(1).alerts()).extracting(Alert::object).containsExactly("t3");
    // the pager does not group and only takes target app
    assertThat(pager.received).allSatisfy(n -> assertThat(n.alerts()).hasSize(1));
    assertThat(pager.statuses()).containsExactly("app/lockWait/t1:firing",
        "app/lockWait/t2:firing");
    assertThat(engine.firing()).hasSize(3);
  }

  @Test
  void escalationIsSentAtOnceAndKeepsTheStartTime() throws Exception {
    Alert warn = Fixture.lockAlert("app", "t", Severity.WARNING, fx.clock.instant());
    engine.fire(warn);
    await(engine.tick());
    fx.clock.advance(Duration.ofSeconds(10));
    engine.fire(Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant()));
    await(engine.tick());
    await().until(() -> chat.received.size() == 2 && pager.received.size() == 1);
    assertThat(pager.received.get(0).alerts().get(0).startsAt()).isEqualTo(warn.startsAt());
    assertThat(engine.get(warn.key())).get().extracting(Alert::severity)
        .isEqualTo(Severity.CRITICAL);
  }

  @Test
  void saysWhichSinksHeardAnAlertWhileItFiresAndAfterItResolved() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant());
    engine.fire(a);
    assertThat(engine.sentTo(a)).isEmpty();
    await(engine.tick());
    await().until(() -> engine.sentTo(a).size() == 2);
    assertThat(engine.sentTo(a)).containsExactlyInAnyOrder("chat", "pager");
    engine.resolve(a.key());
    Alert resolved = engine.recentlyResolved().get(0);
    assertThat(engine.sentTo(resolved)).containsExactlyInAnyOrder("chat", "pager");
  }

  @Test
  void resolvedGoesOnlyToSinksThatHeardItFire() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant());
    engine.fire(a);
    engine.resolve(a.key()); // a blip inside one tick: never sent
    await(engine.tick());
    engine.fire(a);
    await(engine.tick());
    engine.resolve(a.key());
    await(engine.tick());
    await().until(() -> pager.received.size() == 2);
    assertThat(pager.statuses()).containsExactly("app/lockWait/t:firing",
        "app/lockWait/t:resolved");
  }

  @Test
  void withoutResolvedNotificationsAResolvedAlertOnlyLeavesTheFiringList() throws Exception {
    AlertEngine quiet = new AlertEngine(fx.clock, queue, List.of(Fixture.routeAll("chat")),
        Duration.ofMinutes(5), false);
    Alert a = Fixture.lockAlert("app", "t", Severity.WARNING, fx.clock.instant());
    quiet.fire(a);
    await(quiet.tick());
    await().until(() -> chat.received.size() == 1);
    quiet.resolve(a.key());
    await(quiet.tick());
    await().during(Duration.ofMillis(100)).until(() -> chat.received.size() == 1);
    assertThat(quiet.firing()).isEmpty();
    assertThat(quiet.recentlyResolved()).extracting(Alert::key).containsExactly(a.key());
  }

  @Test
  void anAdoptedAlertKeepsItsStartRepeatScheduleAndSinksAndIsNotSentAgainAsNew() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant());
    engine.fire(a);
    engine.fire(Fixture.lockAlert("billing", "t", Severity.CRITICAL, fx.clock.instant()));
    await(engine.tick());
    await().until(() -> chat.received.size() == 2 && pager.received.size() == 1);
    fx.clock.advance(Duration.ofMinutes(3));

    AlertEngine next = new AlertEngine(fx.clock, queue, List.of(Fixture.routeAll("chat"),
        new Route("pager", Set.of(Severity.CRITICAL), Set.of("app"))), Duration.ofMinutes(5), true);
    var state = engine.state("app");
    assertThat(state.fieldNames()).containsExactly(a.key()); // only the target asked for
    assertThat(next.adopt(state)).extracting(Alert::key).containsExactly(a.key());
    next.fire(Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant())); // still true
    await(next.tick());
    await().during(Duration.ofMillis(100)).until(() -> chat.received.size() == 2);
    assertThat(next.firing()).extracting(Alert::startsAt).containsExactly(a.startsAt());

    fx.clock.advance(Duration.ofMinutes(2)); // five minutes after the last send: the repeat is due
    await(next.tick());
    await().until(() -> chat.received.size() == 3 && pager.received.size() == 2);
    next.resolve(a.key());
    await(next.tick());
    await().until(() -> chat.received.size() == 4 && pager.received.size() == 3);
    assertThat(pager.statuses()).containsExactly("app/lockWait/t:firing", "app/lockWait/t:firing",
        "app/lockWait/t:resolved");
  }

  @Test
  void anAdoptedAlertThatClearedIsResolvedOnceToTheSinksThatHeardIt() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.WARNING, fx.clock.instant());
    engine.fire(a);
    await(engine.tick());
    await().until(() -> chat.received.size() == 1);

    AlertEngine next = new AlertEngine(fx.clock, queue, List.of(Fixture.routeAll("chat"),
        new Route("pager", Set.of(Severity.CRITICAL), Set.of("app"))), Duration.ofMinutes(5), true);
    next.adopt(engine.state("app"));
    next.resolve(a.key());
    await(next.tick());
    await(next.tick());
    await().until(() -> chat.received.size() == 2);
    await().during(Duration.ofMillis(100)).until(() -> chat.received.size() == 2 && pager.received.isEmpty());
    assertThat(chat.statuses()).containsExactly("app/lockWait/t:firing", "app/lockWait/t:resolved");
  }

  @Test
  void aKeyAlreadyFiringKeepsItsOwnStateAndAPendingSendIsStillOwed() throws Exception {
    Alert old = Fixture.lockAlert("app", "t1", Severity.WARNING, fx.clock.instant());
    engine.fire(old);
    engine.fire(Fixture.lockAlert("app", "t2", Severity.WARNING, fx.clock.instant())); // never sent: pending
    var state = engine.state("app");
    assertThat(state.getJsonObject(old.key()).getBoolean("pending")).isTrue();
    assertThat(state.getJsonObject(old.key()).getString("lastSent")).isNull();

    AlertEngine next = new AlertEngine(fx.clock, queue, List.of(Fixture.routeAll("chat")),
        Duration.ofMinutes(5), true);
    fx.clock.advance(Duration.ofMinutes(1));
    Alert mine = Fixture.lockAlert("app", "t1", Severity.CRITICAL, fx.clock.instant());
    next.fire(mine);
    assertThat(next.adopt(state)).extracting(Alert::object).containsExactly("t2");
    assertThat(next.get(old.key())).get().satisfies(a -> {
      assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
      assertThat(a.startsAt()).isEqualTo(mine.startsAt());
    });
    await(next.tick());
    await().until(() -> chat.received.size() == 1);
    assertThat(chat.received.get(0).alerts()).extracting(Alert::object).containsExactly("t1", "t2");
  }

  @Test
  void aForgottenTargetsAlertsLeaveWithoutAResolve() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.WARNING, fx.clock.instant());
    Alert other = Fixture.lockAlert("billing", "t", Severity.WARNING, fx.clock.instant());
    engine.fire(a);
    engine.fire(other);
    await(engine.tick());
    await().until(() -> chat.received.size() == 2);
    engine.forget("app");
    engine.resolve(a.key()); // unknown now: nothing to resolve
    await(engine.tick());
    await().during(Duration.ofMillis(100)).until(() -> chat.received.size() == 2);
    assertThat(engine.firing()).containsExactly(other);
    assertThat(engine.recentlyResolved()).isEmpty();
    assertThat(engine.state("app").isEmpty()).isTrue();
  }

  @Test
  void listenersHearStructuralChangesNotEveryNewValue() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    engine.onChange(a -> heard.add(a.object() + ":" + a.status().wireName() + ":" + a.severity().name()));
    Alert a = Fixture.lockAlert("app", "t", Severity.WARNING, fx.clock.instant());
    engine.fire(a); // new
    engine.fire(a); // the same again: nothing to keep
    await(engine.tick()); // sent
    await(engine.tick()); // nothing due
    engine.fire(Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant())); // severity
    engine.resolve(a.key());
    assertThat(heard).containsExactly("t:firing:WARNING", "t:firing:WARNING", "t:firing:CRITICAL",
        "t:resolved:CRITICAL");
  }

  @Test
  void aSilencedAlertIsListedButNotSentUntilTheSilenceLifts() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant());
    Silence silence = new Silence("s1", "app", "lock*", null, fx.clock.instant(),
        fx.clock.instant().plus(Duration.ofMinutes(30)), "deploy 42", "ci");
    List<Silence> silences = new CopyOnWriteArrayList<>(List.of(silence));
    engine.silenceWhen((alert, at) -> silences.stream().anyMatch(s -> s.matches(alert, at)));
    engine.fire(a);
    engine.fire(Fixture.lockAlert("billing", "t", Severity.CRITICAL, fx.clock.instant()));
    await(engine.tick());
    await().until(() -> chat.statuses().equals(List.of("billing/lockWait/t:firing")));
    fx.clock.advance(Duration.ofMinutes(10)); // past the repeat interval: billing repeats, app stays held back
    await(engine.tick());
    await().during(Duration.ofMillis(200)).until(() -> chat.statuses().equals(
        List.of("billing/lockWait/t:firing", "billing/lockWait/t:firing")));
    assertThat(engine.firing()).extracting(Alert::key).containsExactly(a.key(), "billing/lockWait/t");
    assertThat(pager.received).isEmpty();

    silences.set(0, silence.expiredAt(fx.clock.instant()));
    await(engine.tick());
    await().until(() -> pager.statuses().equals(List.of("app/lockWait/t:firing")));
    assertThat(chat.statuses()).containsExactly("billing/lockWait/t:firing", "billing/lockWait/t:firing",
        "app/lockWait/t:firing");
    assertThat(pager.received.get(0).alerts().get(0).startsAt()).as("the alert as it fired")
        .isEqualTo(a.startsAt());
  }

  @Test
  void anAlertSilencedUntilItResolvedIsNeverSentNeitherFiringNorResolved() throws Exception {
    Alert a = Fixture.lockAlert("app", "t", Severity.CRITICAL, fx.clock.instant());
    engine.silenceWhen((alert, at) -> true);
    engine.fire(a);
    await(engine.tick());
    engine.resolve(a.key());
    engine.silenceWhen((alert, at) -> false);
    await(engine.tick());
    await().during(Duration.ofMillis(200)).until(() -> chat.received.isEmpty() && pager.received.isEmpty());
    assertThat(engine.firing()).isEmpty();
    assertThat(engine.recentlyResolved()).extracting(Alert::key).containsExactly(a.key());
  }
}
