package io.pgvigil.daemon.killswitch;

import io.pgvigil.alerts.ExecHook;
import io.pgvigil.alerts.Hook;
import io.pgvigil.alerts.HookEvent;
import io.pgvigil.alerts.HookResult;
import io.pgvigil.alerts.Severity;
import io.pgvigil.alerts.WebhookHook;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.killswitch.KillSwitchActions.Cause;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The configured kill-switch hooks (a program run without a shell, a signed
 * POST), built on first use with the Vert.x they run on. A hook never fails the
 * abort: its outcome is a result to log.
 */
final class KillSwitchHooks {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<KillSwitchConfig.Hook> configured;
  private List<Hook> hooks;

  KillSwitchHooks(List<KillSwitchConfig.Hook> configured) {
    this.configured = List.copyOf(configured);
  }

  boolean isEmpty() {
    return configured.isEmpty();
  }

  /** What to call each hook in the audit log, in order. */
  List<String> names() {
    return configured.stream().map(KillSwitchHooks::name).toList();
  }

  /**
   * What the hooks are told about an abort ({@code PGVIGIL_*} variables, the webhook's body).
   *
   * @param pids the backends the abort acts on: the migration's recorded backend(s), or in a window
   *             that names none the stalled DDL requests it cancels; empty when there are none
   *             (outside windows, an abort before any stall or from the replication poll)
   */
  static HookEvent event(String target, Cause c, List<Integer> pids) {
    String value = format(c.value());
    String summary = DeadManSwitch.RULE.equals(c.rule())
        ? "pgvigil lost sight of " + target + " for " + value + "s during a migration window"
        : "pgvigil aborted the migration on " + target + ": " + c.rule() + " " + value + " >= " + format(c.threshold());
    return new HookEvent(target, c.rule(), "abort", Severity.CRITICAL, value, format(c.threshold()),
        c.window() == null ? null : c.window().id(), pids, summary, c.at());
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
  }

  /** Runs every hook; one result per hook, in order. */
  Future<List<HookResult>> run(Vertx vertx, HookEvent event) {
    return Future.all(hooks(vertx).stream().map(h -> h.run(event)).toList()).map(all -> all.<HookResult>list());
  }

  private synchronized List<Hook> hooks(Vertx vertx) {
    if (hooks == null) {
      hooks = new ArrayList<>();
      WebClient client = null;
      for (KillSwitchConfig.Hook h : configured) {
        if (h instanceof KillSwitchConfig.ExecHook exec) {
          hooks.add(new ExecHook(vertx, exec.command(), TIMEOUT));
        } else if (h instanceof KillSwitchConfig.WebhookHook webhook) {
          if (client == null) {
            client = WebClient.create(vertx);
          }
          hooks.add(new WebhookHook(client, webhook.url(), null, TIMEOUT));
        }
      }
    }
    return hooks;
  }

  /** The program's name, or "webhook": never the webhook's URL (it may hold a token). */
  private static String name(KillSwitchConfig.Hook h) {
    if (h instanceof KillSwitchConfig.ExecHook exec) {
      return "exec " + exec.command().get(0);
    }
    return "webhook";
  }
}
