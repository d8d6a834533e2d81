package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.alerts.Severity;
import io.pgvigil.daemon.killswitch.AbortDecision;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.windows.WindowRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kill-switch decisions as critical alerts, one per migration window and action ({@code cancel},
 * {@code hook}): the kill switch stopping (or, in dry-run, deciding it would stop) somebody's
 * deploy is something a human must hear about. A decision is an event, not a condition, so its
 * alert fires while the window it acted in is open and resolves when that window closes.
 */
final class KillSwitchAlerts {

  static final String RULE = "killSwitch";

  private record Window(String target, String id) {}

  private final Alarms alarms;
  /** Alert key → the window it is about. */
  private final Map<String, Window> open = new ConcurrentHashMap<>();

  KillSwitchAlerts(Alarms alarms) {
    this.alarms = alarms;
  }

  void decided(AbortDecision d) {
    String object = "window " + d.windowId() + " " + d.action();
    // The abort rules measure seconds, except the lock queue's depth.
    RuleVerdict.Unit unit = "lockQueue".equals(d.rule()) ? RuleVerdict.Unit.COUNT : RuleVerdict.Unit.SECONDS;
    String threshold = RuleVerdict.format(d.threshold(), unit);
    String value = RuleVerdict.format(d.value(), unit);
    String what = "dry-run".equals(d.result())
        ? "would " + d.action() + " (dry-run, nothing was touched)"
        : d.action() + " " + d.result();
    Map<String, String> details = new LinkedHashMap<>();
    details.put("window", d.windowId());
    details.put("action", d.action());
    details.put("result", d.result());
    details.put("abortRule", d.rule());
    if (d.pid() != null) {
      details.put("pid", Integer.toString(d.pid()));
    }
    if (d.message() != null && !d.message().isBlank()) {
      details.put("message", d.message());
    }
    Alert alert = Alert.firing(d.target(), RULE, object, Severity.CRITICAL,
        "killSwitch on " + d.target() + ": " + what + " after " + d.rule() + " " + value
            + " reached abort " + threshold, value, threshold, List.of(), details, d.at());
    open.put(alert.key(), new Window(d.target(), d.windowId()));
    alarms.fire(alert);
  }

  /** Resolves the alerts whose window has closed. */
  void resolveClosed(WindowRegistry windows) {
    open.forEach((key, w) -> {
      boolean stillOpen = windows.openWindows(w.target()).stream().anyMatch(o -> o.id().equals(w.id()));
      if (!stillOpen && open.remove(key) != null) {
        alarms.resolve(key);
      }
    });
  }
}
