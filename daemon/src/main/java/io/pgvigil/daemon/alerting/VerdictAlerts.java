package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Blocker;
import io.pgvigil.alerts.Severity;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.rules.RuleListener;
import io.pgvigil.daemon.rules.RuleVerdict;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rule verdicts as alerts: WARN is a warning, ABORT is critical, one alert per target, rule and
 * object. A verdict of one source (locks, replication) that is missing from that source's next
 * evaluation has returned to normal, so its alert resolves.
 */
final class VerdictAlerts implements RuleListener {

  private static final Map<String, String> WHAT = Map.of(
      Rules.LOCK_WAIT, "a session waits for a lock",
      Rules.LOCK_QUEUE, "sessions queue behind a lock request",
      Rules.LOCK_QUEUE_COST, "a lock queue has cost blocked-backend-seconds",
      Rules.REPLICATION_LAG, "a standby lags behind",
      Rules.REPLICATION_LAG_BYTES, "a standby lags behind in WAL",
      Rules.STANDBY_GONE, "a standby is gone",
      Rules.DDL_RUNTIME, "a DDL statement runs long",
      Rules.IDLE_IN_TRANSACTION, "a session is idle in transaction",
      Rules.LONG_WRITE, "a write runs long (an unbatched backfill?)");

  private final Alarms alarms;
  private final boolean queryText;
  /** target + source → the keys its last evaluation fired. */
  private final Map<List<String>, Set<String>> firing = new ConcurrentHashMap<>();

  /** @param queryText whether the census keeps query text ({@code alerts.queryText}) */
  VerdictAlerts(Alarms alarms, boolean queryText) {
    this.alarms = alarms;
    this.queryText = queryText;
  }

  @Override
  public void evaluated(String target, String source, List<RuleVerdict> verdicts) {
    Set<String> now = new HashSet<>();
    for (RuleVerdict v : verdicts) {
      Alert alert = alert(v);
      now.add(alert.key());
      alarms.fire(alert);
    }
    Set<String> before = firing.put(List.of(target, source), now);
    if (before != null) {
      before.stream().filter(key -> !now.contains(key)).forEach(alarms::resolve);
    }
  }

  Alert alert(RuleVerdict v) {
    boolean abort = v.level() == RuleVerdict.Level.ABORT;
    String level = abort ? "abort" : "warn";
    String what = WHAT.getOrDefault(v.rule(), v.rule());
    String summary = v.rule() + " on " + v.target() + (v.object().isEmpty() ? "" : " (" + v.object() + ")")
        + ": " + what + ", " + v.formattedValue() + " against " + level + " " + v.formattedThreshold()
        + (v.inWindow() ? " inside a migration window" : "");
    Map<String, String> details = new LinkedHashMap<>(v.details());
    details.put("level", level);
    details.put("inWindow", Boolean.toString(v.inWindow()));
    List<Blocker> census = queryText ? v.census() : v.census().stream()
        .map(b -> b.query() == null ? b : new Blocker(b.pid(), b.role(), b.state(), b.ageSeconds(), null))
        .toList();
    return Alert.firing(v.target(), v.rule(), v.object(), abort ? Severity.CRITICAL : Severity.WARNING,
        summary, v.formattedValue(), v.formattedThreshold(), census, details, v.since());
  }
}
