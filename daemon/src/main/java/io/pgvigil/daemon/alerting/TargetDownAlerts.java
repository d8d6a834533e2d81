package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.daemon.config.Unit;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A target down for {@link #AFTER} is a critical alert: nothing else about it is watched meanwhile.
 * One failed heartbeat is not enough (a restart, a failover or one slow answer must not page
 * anybody); the first heartbeat that answers resolves it.
 */
final class TargetDownAlerts {

  static final String RULE = "targetDown";
  static final Duration AFTER = Duration.ofSeconds(30);

  private final Alerting alerting;
  /** Target → since when it has been down; guarded by this, so a tick never fires after an up. */
  private final Map<String, Instant> down = new HashMap<>();

  TargetDownAlerts(Alerting alerting) {
    this.alerting = alerting;
  }

  synchronized void changed(Signal.Reachability signal) {
    if (signal.up()) {
      down.remove(signal.target());
      String key = Alert.keyOf(signal.target(), RULE, "");
      // In a cluster the member that fired it (it spoke for the target while nobody owned it) and
      // the instance that takes the target once it answers (it adopts the shared record) both hear
      // that it is back: one resolve must go out, never none. The record decides: whoever resolves
      // first takes the alert out of it, and only a resolve does. So the firer drops its copy
      // silently when the record no longer has it (the new owner resolved it), and resolves it
      // otherwise; the new owner adopts only what the record still has (see adopted). An alert the
      // firer sent stays in the record until somebody resolves it, so it is never lost; two resolves
      // need both to act within the time a shared change takes to travel (milliseconds).
      if (alerting.resolvedElsewhere(signal.target(), key)) {
        alerting.forgetResolved(key);
      } else {
        alerting.resolve(key);
      }
    } else {
      down.put(signal.target(), signal.since());
    }
  }

  /**
   * A target-down alert taken over for a target that answers now resolves: a target is taken only after a
   * heartbeat that answered, so the up that would have resolved it came before the alert was here.
   */
  synchronized void adopted(String target, List<Alert> alerts) {
    if (!down.containsKey(target)) {
      alerts.stream().filter(a -> a.rule().equals(RULE)).forEach(a -> alerting.resolve(a.key()));
    }
  }

  synchronized void forget(String target) {
    down.remove(target);
  }

  synchronized void tick(Instant now, Predicate<String> speaksFor) {
    down.forEach((target, since) -> {
      if (!now.isBefore(since.plus(AFTER)) && speaksFor.test(target)) {
        String downFor = Unit.SECONDS.format(Duration.between(since, now).toSeconds());
        alerting.fire(Alert.firing(target, RULE, "", AlertSeverity.ACTION,
            "targetDown: pgvigil cannot reach " + target + " (down for " + downFor
                + "); its locks, lag and drift are not watched meanwhile",
            downFor, Unit.SECONDS.format(AFTER.toSeconds()), List.of(), Map.of("since", since.toString()), since));
      }
    });
  }
}
