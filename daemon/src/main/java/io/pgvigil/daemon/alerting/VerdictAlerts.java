package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Blocker;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rule verdicts as alerts, one per target, rule and object. A verdict missing from its source's
 * next evaluation is back to normal: its alert resolves.
 */
final class VerdictAlerts {

  private record Evaluated(String target, Source source) {}

  private final Alerting alerting;
  private final boolean queryText;
  private final Map<Evaluated, Set<String>> firing = new ConcurrentHashMap<>();

  VerdictAlerts(Alerting alerting, boolean queryText) {
    this.alerting = alerting;
    this.queryText = queryText;
  }

  void evaluated(Signal.Verdicts signal) {
    Set<String> now = new HashSet<>();
    for (RuleVerdict v : signal.verdicts()) {
      Alert alert = alert(v);
      now.add(alert.key());
      alerting.fire(alert);
    }
    Set<String> before = firing.put(new Evaluated(signal.target(), signal.source()), now);
    if (before != null) {
      before.stream().filter(key -> !now.contains(key)).forEach(alerting::resolve);
    }
  }

  /** Alerts taken over from another instance count as fired by their source's last evaluation. */
  void adopted(List<Alert> alerts) {
    for (Alert a : alerts) {
      RuleKind.fromYaml(a.rule()).ifPresent(kind -> firing.merge(new Evaluated(a.target(), source(kind)),
          Set.of(a.key()), (before, added) -> {
            Set<String> all = new HashSet<>(before);
            all.addAll(added);
            return all;
          }));
    }
  }

  void forget(String target) {
    firing.keySet().removeIf(e -> e.target().equals(target));
  }

  private static Source source(RuleKind kind) {
    return switch (kind) {
      case REPLICATION_LAG, REPLICATION_LAG_BYTES, STANDBY_GONE -> Source.REPLICATION;
      default -> Source.LOCKS;
    };
  }

  private Alert alert(RuleVerdict v) {
    String level = v.level().name().toLowerCase(Locale.ROOT);
    String rule = v.rule().yaml();
    String summary = rule + " on " + v.target() + (v.object().isEmpty() ? "" : " (" + v.object() + ")")
        + ": " + v.rule().meaning() + ", " + v.formattedValue() + " against " + level + " "
        + v.formattedThreshold() + (v.inWindow() ? " inside a migration window" : "");
    Map<String, String> details = new LinkedHashMap<>(v.details());
    details.put("level", level);
    details.put("inWindow", Boolean.toString(v.inWindow()));
    List<Blocker> census = queryText ? v.census() : v.census().stream()
        .map(b -> b.query() == null ? b : new Blocker(b.pid(), b.role(), b.state(), b.ageSeconds(), null))
        .toList();
    return Alert.firing(v.target(), rule, v.object(), AlertSeverity.of(v.level()), summary,
        v.formattedValue(), v.formattedThreshold(), census, details, v.since());
  }
}
