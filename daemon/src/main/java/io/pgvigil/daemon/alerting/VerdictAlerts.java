package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Blocker;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Rule verdicts as alerts, one per target, rule and object. A verdict missing from its source's
 * next evaluation is back to normal: its alert resolves.
 */
final class VerdictAlerts {

  private record Evaluated(String target, Source source) {}

  private final Alerting alerting;
  private final boolean queryText;
  private final Map<Evaluated, Set<String>> firing = new ConcurrentHashMap<>();
  /** Adopted alerts this instance has not confirmed yet, and until when their absence proves nothing. */
  private final Map<String, Instant> adoptedUntil = new ConcurrentHashMap<>();
  private final Function<RuleKind, Duration> adoptedHold;
  private final Clock clock;

  /**
   * @param adoptedHold how long an adopted alert missing from the verdicts is kept: a rule's
   *     {@code for} starts over on the instance that takes a target, so until it has passed, a
   *     missing verdict may only mean "not seen long enough here yet"
   */
  VerdictAlerts(Alerting alerting, boolean queryText, Function<RuleKind, Duration> adoptedHold, Clock clock) {
    this.alerting = alerting;
    this.queryText = queryText;
    this.adoptedHold = adoptedHold;
    this.clock = clock;
  }

  void evaluated(Signal.Verdicts signal) {
    Set<String> now = new HashSet<>();
    for (RuleVerdict v : signal.verdicts()) {
      Alert alert = alert(v);
      now.add(alert.key());
      alerting.fire(alert);
    }
    now.forEach(adoptedUntil::remove);
    Set<String> before = firing.put(new Evaluated(signal.target(), signal.source()), now);
    if (before != null) {
      Instant at = clock.instant();
      for (String key : before) {
        Instant hold = adoptedUntil.get(key);
        if (now.contains(key)) {
          continue;
        }
        if (hold != null && at.isBefore(hold)) {
          now.add(key);
        } else {
          adoptedUntil.remove(key);
          alerting.resolve(key);
        }
      }
    }
  }

  /** Alerts taken over from another instance count as fired by their source's last evaluation. */
  void adopted(List<Alert> alerts) {
    for (Alert a : alerts) {
      RuleKind.fromYaml(a.rule()).ifPresent(kind -> adoptedUntil.put(a.key(),
          clock.instant().plus(adoptedHold.apply(kind))));
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
    adoptedUntil.keySet().removeIf(key -> key.startsWith(target + "/"));
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
