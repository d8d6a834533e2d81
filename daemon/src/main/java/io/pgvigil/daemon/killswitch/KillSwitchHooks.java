package io.pgvigil.daemon.killswitch;

import io.pgvigil.alerts.ExecHook;
import io.pgvigil.alerts.Hook;
import io.pgvigil.alerts.HookEvent;
import io.pgvigil.alerts.HookResult;
import io.pgvigil.alerts.Severity;
import io.pgvigil.alerts.WebhookHook;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.config.Unit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The configured kill-switch hooks (a program run without a shell, a signed
 * POST), built on first use with the Vert.x they run on. A hook never fails the
 * abort: its outcome is a result to log.
 */
final class KillSwitchHooks {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A configured hook and what to call it in the audit log. */
  record Named(String name, Hook hook) {}

  private final List<KillSwitchConfig.Hook> configured;
  private List<Named> hooks;

  KillSwitchHooks(List<KillSwitchConfig.Hook> configured) {
    this.configured = List.copyOf(configured);
  }

  boolean isEmpty() {
    return configured.isEmpty();
  }

  List<String> names() {
    List<String> names = new ArrayList<>();
    for (KillSwitchConfig.Hook h : configured) {
      names.add(name(h));
    }
    return names;
  }

  /**
   * What the hooks are told about an abort ({@code PGVIGIL_*} variables, the webhook's body).
   *
   * @param windowId the window acted in, null outside windows
   * @param pids     the backends the abort acts on: the migration's recorded backend(s), or in a
   *                 window that names none the stalled DDL requests it cancels; empty when there are
   *                 none (outside windows, an abort before any stall or from the replication poll)
   */
  static HookEvent event(String target, String rule, double value, double threshold, String windowId,
      List<Integer> pids, Instant at) {
    String summary = AbortRules.DEAD_MAN.equals(rule)
        ? "pgvigil lost sight of " + target + " for " + format(value) + "s during a migration window"
        : "pgvigil aborted the migration on " + target + ": " + rule + " " + format(value) + " >= " + format(threshold);
    return new HookEvent(target, rule, "abort", Severity.CRITICAL, format(value), format(threshold), windowId, pids,
        summary, at);
  }

  private static String format(double value) {
    return Unit.number(value, 3);
  }

  /** Runs every hook; one result per hook, in order. */
  Future<List<HookResult>> run(Vertx vertx, HookEvent event) {
    List<Future<HookResult>> runs = new ArrayList<>();
    for (Named named : hooks(vertx)) {
      runs.add(named.hook().run(event));
    }
    return Future.all(runs).map(all -> all.<HookResult>list());
  }

  private synchronized List<Named> hooks(Vertx vertx) {
    if (hooks == null) {
      hooks = new ArrayList<>();
      WebClient client = null;
      for (KillSwitchConfig.Hook h : configured) {
        if (h instanceof KillSwitchConfig.ExecHook exec) {
          hooks.add(new Named(name(h), new ExecHook(vertx, exec.command(), TIMEOUT)));
        } else if (h instanceof KillSwitchConfig.WebhookHook webhook) {
          if (client == null) {
            client = WebClient.create(vertx);
          }
          hooks.add(new Named(name(h), new WebhookHook(client, webhook.url(), null, TIMEOUT)));
        }
      }
    }
    return hooks;
  }

  /** The program's name, or "webhook": never the webhook's URL (it may hold a token). */
  static String name(KillSwitchConfig.Hook h) {
    if (h instanceof KillSwitchConfig.ExecHook exec) {
      return "exec " + exec.command().get(0);
    }
    return "webhook";
  }
}
