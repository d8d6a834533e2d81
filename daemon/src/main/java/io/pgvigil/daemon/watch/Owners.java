package io.pgvigil.daemon.watch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * This instance's share of the targets, so that ownership spreads: with M targets and N instances
 * in the cluster an instance keeps at most ⌈M/N⌉ of them. Over its share it takes a free target
 * only when it is still free one step later (nobody under their share could take it), and gives
 * one back per {@link #RELEASE_PAUSE} when instances join, never while the target has a migration
 * window open. Without a cluster N is 1: a lone instance owns everything it can reach.
 *
 * <p>A target given back that nobody takes (the other instances cannot reach it) comes back to
 * this one a step later; it is then kept, not given back again, until the number of members
 * changes or {@link #KEEP} has passed: otherwise it would move away and back every pause, forever,
 * its owner record and alerts with it.
 */
public final class Owners {

  /** At most one target given back per pause, so that targets move one at a time. */
  static final Duration RELEASE_PAUSE = Duration.ofSeconds(2);
  /** How long a target that came back unclaimed is kept while the membership stays the same. */
  static final Duration KEEP = Duration.ofMinutes(5);

  /** The configured targets and those discovered now. */
  private volatile int targets;
  private final IntSupplier members;
  private final Predicate<String> busy;
  private final Predicate<String> vacated;
  private final Clock clock;
  private final Map<String, Boolean> owned = new ConcurrentHashMap<>();
  private Instant lastRelease = Instant.MIN;

  /** When a target was given back or came back, and how many members the cluster had then. */
  private record Moved(Instant at, int members) {}

  /** Targets given back and not taken again here yet; guarded by this. */
  private final Map<String, Moved> released = new HashMap<>();
  /** Targets that came back unclaimed: kept; guarded by this. */
  private final Map<String, Moved> kept = new HashMap<>();

  /**
   * @param members how many instances are in the cluster now (1 without one)
   * @param busy whether a target must not be given away now (a migration window is open on it)
   */
  public Owners(int targets, IntSupplier members, Predicate<String> busy, Clock clock) {
    this(targets, members, busy, t -> false, clock);
  }

  /**
   * @param vacated whether a target's last owner said it lost it or left the cluster: such a target
   *     is taken at once, over the share too, so that a takeover never waits a step (it is handed on
   *     later if this instance has too many)
   */
  public Owners(int targets, IntSupplier members, Predicate<String> busy, Predicate<String> vacated, Clock clock) {
    this.targets = targets;
    this.members = members;
    this.busy = busy;
    this.vacated = vacated;
    this.clock = clock;
  }

  public static Owners alone(int targets, Clock clock) {
    return new Owners(targets, () -> 1, t -> false, clock);
  }

  /** ⌈targets / members⌉. */
  public int share() {
    int n = Math.max(1, members.getAsInt());
    return (targets + n - 1) / n;
  }

  /** A discovered target came ({@code +1}) or its database went away ({@code -1}, and it is forgotten here). */
  public synchronized void counted(String target, boolean present) {
    targets = Math.max(0, targets + (present ? 1 : -1));
    if (!present) {
      owned.remove(target);
      released.remove(target);
      kept.remove(target);
    }
  }

  /**
   * A discovered target left while another of the same name is watched already (its database was created again):
   * only the count goes; the records are the new target's.
   */
  public synchronized void countedAway() {
    targets = Math.max(0, targets - 1);
  }

  public int ownedCount() {
    return (int) owned.values().stream().filter(Boolean::booleanValue).count();
  }

  boolean underShare() {
    return ownedCount() < share();
  }

  boolean vacated(String target) {
    return vacated.test(target);
  }

  synchronized void set(String target, boolean isOwner) {
    Boolean before = owned.put(target, isOwner);
    if (isOwner && !Boolean.TRUE.equals(before)) {
      Moved given = released.remove(target);
      if (given != null && current(given)) {
        kept.put(target, new Moved(clock.instant(), members.getAsInt()));
      }
    }
  }

  /** Whether to give this owned target back now; at most one per pause across all targets. */
  synchronized boolean shouldRelease(String target) {
    Instant now = clock.instant();
    if (ownedCount() <= share() || busy.test(target) || now.isBefore(lastRelease.plus(RELEASE_PAUSE))) {
      return false;
    }
    Moved back = kept.get(target);
    if (back != null && current(back)) {
      return false;
    }
    kept.remove(target);
    lastRelease = now;
    released.put(target, new Moved(now, members.getAsInt()));
    return true;
  }

  /** Whether a move still tells something: the same members, and not longer ago than {@link #KEEP}. */
  private boolean current(Moved moved) {
    return moved.members() == members.getAsInt() && clock.instant().isBefore(moved.at().plus(KEEP));
  }
}
