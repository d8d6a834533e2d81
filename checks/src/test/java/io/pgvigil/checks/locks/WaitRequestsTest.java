package io.pgvigil.checks.locks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WaitRequestsTest {

  private static final OffsetDateTime NOW = OffsetDateTime.parse("2025-06-01T12:00:00Z");

  private final WaitRequests requests = new WaitRequests(Duration.ofSeconds(5));

  private static Session idle(int pid) {
    return new Session(pid, "app", "web", "app", "client backend", "idle in transaction", NOW.minusHours(1),
        NOW.minusMinutes(5), NOW.minusMinutes(5), NOW.minusMinutes(5), "Client", "ClientRead", "SELECT 1", List.of(),
        null, null);
  }

  private static Session waiting(int pid, OffsetDateTime queryStart, Integer... blockedBy) {
    return new Session(pid, "app", "web", "app", "client backend", "active", NOW.minusHours(1), queryStart,
        queryStart, queryStart, "Lock", "relation", "SELECT * FROM t", List.of(blockedBy), null, null);
  }

  private static LockSnapshot at(OffsetDateTime time, Session... sessions) {
    return new LockSnapshot(time, "app", List.of(sessions));
  }

  private static LockRequest request(String mode) {
    return new LockRequest("relation", "public.t", mode, NOW.minusSeconds(1));
  }

  private List<Integer> toRead(LockSnapshot snapshot) {
    return requests.toRead(snapshot).stream().map(Session::pid).toList();
  }

  @Test
  void readsAHeadAtOnceAndKeepsItsRequestWhileItWaits() {
    Session alter = waiting(2, NOW.minusSeconds(2), 1);
    LockSnapshot first = at(NOW, idle(1), alter);
    assertThat(toRead(first)).containsExactly(2);
    requests.read(first, List.of(alter), Map.of(2, request("AccessExclusiveLock")));

    LockSnapshot next = at(NOW.plusSeconds(1), idle(1), alter);
    assertThat(toRead(next)).isEmpty();
    assertThat(requests.request(alter)).isEqualTo(request("AccessExclusiveLock"));
  }

  @Test
  void readsSessionsQueuedBehindAHeadOnlyWithTheNextHeadOrAfterTheRefresh() {
    Session alter = waiting(2, NOW.minusSeconds(2), 1);
    LockSnapshot first = at(NOW, idle(1), alter);
    requests.read(first, List.of(alter), Map.of(2, request("AccessExclusiveLock")));

    Session reader = waiting(3, NOW, 2);
    assertThat(toRead(at(NOW.plusSeconds(1), idle(1), alter, reader))).isEmpty();
    assertThat(requests.request(reader)).isNull();
    assertThat(toRead(at(NOW.plusSeconds(5), idle(1), alter, reader))).containsExactly(3);
    // A new head is read at once, and the queued session with it.
    Session second = waiting(4, NOW, 1);
    assertThat(toRead(at(NOW.plusSeconds(1), idle(1), alter, reader, second))).containsExactlyInAnyOrder(3, 4);
  }

  @Test
  void readsAgainWhenAWaiterHasANewBlockerOrANewStatement() {
    Session alter = waiting(2, NOW.minusSeconds(2), 1, 5);
    LockSnapshot first = at(NOW, idle(1), idle(5), alter);
    requests.read(first, List.of(alter), Map.of(2, request("AccessExclusiveLock")));

    // A blocker leaving is the same wait; a new one is another lock.
    assertThat(toRead(at(NOW.plusSeconds(1), idle(1), waiting(2, NOW.minusSeconds(2), 1)))).isEmpty();
    assertThat(toRead(at(NOW.plusSeconds(1), idle(1), idle(6), waiting(2, NOW.minusSeconds(2), 1, 6))))
        .containsExactly(2);
    assertThat(toRead(at(NOW.plusSeconds(1), idle(1), waiting(2, NOW, 1)))).containsExactly(2);
  }

  @Test
  void forgetsAWaitThatEndedAndKeepsARequestWithoutWaitStartForOnePollOnly() {
    Session alter = waiting(2, NOW.minusSeconds(2), 1);
    LockSnapshot first = at(NOW, idle(1), alter);
    requests.read(first, List.of(alter), Map.of(2, request("AccessExclusiveLock")));
    assertThat(toRead(at(NOW.plusSeconds(1), idle(1)))).isEmpty();
    assertThat(toRead(at(NOW.plusSeconds(2), idle(1), alter))).containsExactly(2);

    requests.read(first, List.of(alter),
        Map.of(2, new LockRequest("relation", "public.t", "AccessExclusiveLock", null)));
    assertThat(toRead(at(NOW.plusSeconds(3), idle(1), alter))).containsExactly(2);
  }
}
