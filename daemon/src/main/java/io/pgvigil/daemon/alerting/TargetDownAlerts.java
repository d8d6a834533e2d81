package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Severity;
import io.pgvigil.daemon.watch.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A target whose heartbeat fails ({@code pgvigil_up} 0) for {@code after} is a critical alert: while
 * it is down nothing else about it is watched. One failed heartbeat is not enough (a restart, a
 * failover or one slow answer must not page anybody); the alert resolves on the first heartbeat
 * that answers.
 */
final class TargetDownAlerts {

  static final String RULE = "targetDown";
  static final Duration DEFAULT_AFTER = Duration.ofSeconds(30);

  private final Alarms alarms;
  private final Duration after;

  TargetDownAlerts(Alarms alarms, Duration after) {
    this.alarms = alarms;
    this.after = after;
  }

  void observe(List<TargetStatus> statuses, Instant now) {
    for (TargetStatus t : statuses) {
      String key = Alert.keyOf(t.name(), RULE, "");
      if (t.up()) {
        alarms.resolve(key);
      } else if (t.polled() && !now.isBefore(t.since().plus(after))) {
        String downFor = Duration.between(t.since(), now).toSeconds() + "s";
        alarms.fire(Alert.firing(t.name(), RULE, "", Severity.CRITICAL,
            "targetDown: pgvigil cannot reach " + t.name() + " (down for " + downFor
                + "); its locks, lag and drift are not watched meanwhile",
            downFor, after.toSeconds() + "s", List.of(), Map.of("since", t.since().toString()),
            t.since()));
      }
    }
  }
}
