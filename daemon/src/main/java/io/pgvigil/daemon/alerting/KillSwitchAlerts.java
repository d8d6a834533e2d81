package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.config.Unit;
import io.pgvigil.daemon.killswitch.AbortDecision;
import io.pgvigil.daemon.killswitch.StalledRequest;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.windows.WindowRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kill-switch decisions as critical alerts, one per window and action: stopping (or in dry-run,
 * deciding to stop) somebody's deploy is something a human must hear about. A decision is an event,
 * not a condition: its alert resolves when its window closes, or outside windows (an abort level in
 * {@code rules.always}) when no alert of its rule on the target is critical any more.
 */
final class KillSwitchAlerts {

  static final String RULE = "killSwitch";

  /** @param id the window, null for a decision outside windows */
  private record Window(String target, String id, String rule) {}

  private final Alerting alerting;
  private final Map<String, Window> open = new ConcurrentHashMap<>();

  KillSwitchAlerts(Alerting alerting) {
    this.alerting = alerting;
  }

  void decided(AbortDecision d) {
    String object = (d.windowId() != null ? "window " + d.windowId() : d.rule()) + " " + d.action();
    // The dead-man switch measures seconds unseen; the rules their own unit.
    Unit unit = RuleKind.fromYaml(d.rule()).map(RuleKind::unit).orElse(Unit.SECONDS);
    String threshold = unit.format(d.threshold());
    String value = unit.format(d.value());
    String what = "dry-run".equals(d.result())
        ? "would " + d.action() + " (dry-run, nothing was touched)"
        : d.action() + " " + d.result();
    Map<String, String> details = new LinkedHashMap<>();
    if (d.windowId() != null) {
      details.put("window", d.windowId());
    }
    details.put("action", d.action());
    details.put("result", d.result());
    details.put("abortRule", d.rule());
    if (d.pid() != null) {
      details.put("pid", Integer.toString(d.pid()));
    }
    StalledRequest request = d.request();
    if (request != null) {
      details.put("requestPid", Integer.toString(request.pid()));
      details.put("relation", request.relation());
      details.put("lockMode", request.mode());
      details.put("queued", Integer.toString(request.queued()));
    }
    // A hook's message is the hook program's own output: it stays in the log and the API,
    // it is not sent to chat and paging services.
    if (d.message() != null && !d.message().isBlank() && !"hook".equals(d.action())) {
      details.put("message", d.message());
    }
    Alert alert = Alert.firing(d.target(), RULE, object, AlertSeverity.ACTION,
        "killSwitch on " + d.target() + ": " + what + about(d) + " after " + d.rule() + " " + value
            + " reached abort " + threshold,
        value, threshold, List.of(), details, d.at());
    open.put(alert.key(), new Window(d.target(), d.windowId(), d.rule()));
    alerting.fire(alert);
  }

  /** Who was signalled for which stall (cancelled request, or terminated root and its request); or empty. */
  private static String about(AbortDecision d) {
    StalledRequest r = d.request();
    if (r == null) {
      return "";
    }
    String request = r.mode() + " on " + r.relation();
    return d.pid() == null || d.pid() == r.pid() ? " (pid " + r.pid() + ", " + request + ")"
        : " (pid " + d.pid() + ", root blocker of pid " + r.pid() + "'s " + request + ")";
  }

  /** Decisions taken over from another instance resolve as this instance's own do. */
  void adopted(List<Alert> alerts) {
    alerts.stream().filter(a -> a.rule().equals(RULE)).forEach(a -> open.put(a.key(),
        new Window(a.target(), a.details().get("window"), a.details().getOrDefault("abortRule", ""))));
  }

  void forget(String target) {
    open.values().removeIf(w -> w.target().equals(target));
  }

  void resolveClosed(WindowRegistry windows, List<Alert> firing) {
    open.forEach((key, w) -> {
      boolean current = w.id() != null
          ? windows.openWindows(w.target()).stream().anyMatch(o -> o.id().equals(w.id()))
          : firing.stream().anyMatch(a -> a.target().equals(w.target()) && a.rule().equals(w.rule())
              && a.severity() == AlertSeverity.of(RuleVerdict.Level.ABORT));
      if (!current && open.remove(key) != null) {
        alerting.resolve(key);
      }
    });
  }
}
