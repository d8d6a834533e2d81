package io.pgvigil.daemon.killswitch;

import io.pgvigil.daemon.killswitch.KillSwitchActions.Cause;
import io.pgvigil.daemon.windows.MigrationWindow;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a window is open and the lock watch has not polled the target for longer than
 * {@code killSwitch.deadMan.after}, the hooks fire, once per window. pgvigil cannot cancel anything
 * on a target it cannot reach.
 */
final class DeadManSwitch {

  private static final Logger LOG = LoggerFactory.getLogger(DeadManSwitch.class);
  static final String RULE = "deadMan";

  private final String target;
  private final Duration after;
  private final WindowRegistry windows;
  private final KillSwitchActions actions;
  private final Clock clock;
  private final Set<String> fired = new HashSet<>();
  private Instant lastLockPoll;

  DeadManSwitch(String target, Duration after, WindowRegistry windows, KillSwitchActions actions, Clock clock) {
    this.target = target;
    this.after = after;
    this.windows = windows;
    this.actions = actions;
    this.clock = clock;
    this.lastLockPoll = clock.instant();
  }

  void lockPolled(Instant at) {
    lastLockPoll = at;
  }

  Future<Void> tick(Vertx vertx) {
    Instant now = clock.instant();
    List<MigrationWindow> open = windows.openWindows(target);
    fired.removeIf(id -> open.stream().noneMatch(w -> w.id().equals(id)));
    List<Future<Void>> done = new ArrayList<>();
    for (MigrationWindow w : open) {
      // Unseen since the last lock poll, or since the window opened if that came later: a window
      // that opens between two slow polls has not lost sight of anything yet.
      Instant since = lastLockPoll.isAfter(w.openedAt()) ? lastLockPoll : w.openedAt();
      Duration unseen = Duration.between(since, now);
      if (unseen.compareTo(after) < 0 || !fired.add(w.id())) {
        continue;
      }
      double seconds = unseen.toMillis() / 1000.0;
      LOG.warn("target {}: not polled for {}s while window {} is open; dead-man switch fires", target,
          Math.round(seconds), w.id());
      Cause c = new Cause(RULE, seconds, after.toMillis() / 1000.0, w, now);
      done.add(actions.runHooks(c, w.backendPid() == null ? List.of() : List.of(w.backendPid()), vertx,
          "the dead-man switch fired but no kill-switch hooks are configured"));
    }
    return Future.join(done).mapEmpty();
  }
}
