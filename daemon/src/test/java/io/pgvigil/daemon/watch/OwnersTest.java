package io.pgvigil.daemon.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.alerts.testing.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OwnersTest {

  private final MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
  private final AtomicInteger members = new AtomicInteger(2);
  private final Owners owners = new Owners(2, members::get, t -> false, clock);

  @Test
  void givesOneTargetBackPerPauseWhileOverItsShare() {
    owners.set("a", true);
    owners.set("b", true);
    assertThat(owners.shouldRelease("a")).isTrue();
    assertThat(owners.shouldRelease("b")).isFalse();
    clock.advance(Owners.RELEASE_PAUSE);
    assertThat(owners.shouldRelease("b")).isTrue();
  }

  @Test
  void keepsATargetThatCameBackUnclaimedUntilTheMembershipChanges() {
    owners.set("a", true);
    owners.set("b", true);
    assertThat(owners.shouldRelease("a")).isTrue();
    owners.set("a", false);
    // Nobody else can reach a: it is free a step later, and this instance takes it back.
    clock.advance(Duration.ofMillis(500));
    owners.set("a", true);
    for (int step = 0; step < 60; step++) {
      clock.advance(Duration.ofSeconds(2));
      assertThat(owners.shouldRelease("a")).as("step %d", step).isFalse();
      owners.set("a", true);
    }
    members.set(3);
    clock.advance(Owners.RELEASE_PAUSE);
    // ⌈2/3⌉ = 1: still over its share, and a new member may reach it.
    assertThat(owners.shouldRelease("a")).isTrue();
  }

  @Test
  void triesAgainAfterALongBackoff() {
    owners.set("a", true);
    owners.set("b", true);
    assertThat(owners.shouldRelease("a")).isTrue();
    owners.set("a", false);
    owners.set("a", true);
    clock.advance(Owners.KEEP.minusSeconds(1));
    assertThat(owners.shouldRelease("a")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(owners.shouldRelease("a")).isTrue();
  }

  @Test
  void anotherTargetMayStillBeGivenBackWhileOneIsKept() {
    owners.set("a", true);
    owners.set("b", true);
    assertThat(owners.shouldRelease("a")).isTrue();
    owners.set("a", false);
    owners.set("a", true);
    clock.advance(Owners.RELEASE_PAUSE);
    assertThat(owners.shouldRelease("a")).isFalse();
    assertThat(owners.shouldRelease("b")).isTrue();
  }
}
