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
 * Kill-switch decisions as critical alerts, one per migration window and action ({@code cancel},
 * {@code terminate}, {@code hook}): the kill switch stopping (or, in dry-run, deciding it would
 * stop) somebody's deploy is something a human must hear about. A decision is an event, not a
 * condition, so its alert fires while the window it acted in is open and resolves when that window
 * closes. A decision outside any window (an abort level in {@code rules.always}) resolves when no
 * alert of its rule on the target is critical any more.
 */
final class KillSwitchAlerts {

  static final String RULE = "killSwitch";

  /** @param id the window, null for a decision outside windows */
  private record Window(String target, String id, String rule) {}

  private final Alerting alerting;
  /** Alert key → the window it is about. */
  private final Map<String, Window> open = new ConcurrentHashMap<>();

  KillSwitchAlerts(Alerting alerting) {
    this.alerting = alerting;
  }

  void decided(AbortDecision d) {
    String object = d.windowId() != null ? "window " + d.windowId() + " " + d.action()
        : d.rule() + " " + d.action();
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

  /**
   * In a window that names no backend, who was signalled and for which stall: the cancelled
   * request, or the terminated root and the request it held up. Empty otherwise.
   */
  private static String about(AbortDecision d) {
    StalledRequest r = d.request();
    if (r == null) {
      return "";
    }
    String request = r.mode() + " on " + r.relation();
    return d.pid() == null || d.pid() == r.pid() ? " (pid " + r.pid() + ", " + request + ")"
        : " (pid " + d.pid() + ", root blocker of pid " + r.pid() + "'s " + request + ")";
  }

  /** Resolves the alerts whose window has closed, or whose rule is no longer critical. */
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
