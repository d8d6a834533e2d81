package io.pgvigil.daemon.config;

import io.pgvigil.alerts.Severity;
import io.pgvigil.checks.history.MigrationSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The {@code check-config} report; it says whether a secret is set, never its value, so it can go in a ticket. */
final class ConfigSummary {

  private ConfigSummary() {
  }

  static List<String> lines(PgvigilConfig config) {
    List<String> lines = new ArrayList<>();
    ServerConfig server = config.server();
    lines.add("server: listening on " + server.listen() + ", API token "
        + (server.apiToken().isPresent() ? "set (mutating endpoints enabled)"
            : "not set (mutating endpoints disabled)"));
    lines.add("  read API: " + (server.readToken().isPresent()
        ? "needs a bearer token (server.readToken or server.apiToken)"
        : "open to anyone who reaches the port (set server.readToken to require a token)"));
    ClusterConfig cluster = server.cluster();
    lines.add("  cluster: " + (!cluster.enabled() ? "off (this instance shares nothing; targets are still owned "
        + "through their advisory lock)"
        : cluster.name() + " on " + cluster.host().orElse("this host's address") + ":" + cluster.port() + ", members "
            + cluster.serviceDns().map(dns -> "from DNS " + dns)
                .orElse(cluster.peers().isEmpty() ? "none listed" : String.join(", ", cluster.peers()))
            + ", shared records " + (cluster.secret().isPresent() ? "signed (server.cluster.secret set)"
                : "not authenticated (set server.cluster.secret)")));
    for (TargetConfig target : config.targets()) {
      lines.add("target " + target.name() + ": " + target.url().redacted()
          + " (password " + (target.url().password().isPresent() ? "set" : "not set")
          + ", connect timeout " + Durations.format(target.connectTimeout()) + ")");
      for (TargetConfig.ReplicaConfig replica : target.replicas()) {
        lines.add("  replica " + replica.name() + ": " + replica.url().redacted());
      }
      lines.add("  migrations: " + target.migrations().map(MigrationSource::describe).orElse("not configured"));
      lines.add("  shadow: " + ConfigNode.spelling(target.shadow().mode())
          + target.shadow().url().map(u -> " " + u.redacted()).orElse(""));
      lines.add("  drift: every " + Durations.format(target.drift().interval())
          + (target.drift().ignore().isEmpty() ? "" : ", ignoring " + target.drift().ignore().stream()
              .map(Object::toString).collect(Collectors.joining(", "))));
      WatchConfig watch = target.watch();
      lines.add("  watch: every " + Durations.format(watch.interval()) + ", every "
          + Durations.format(watch.windowInterval()) + " during migrations, probe timeout "
          + Durations.format(watch.statementTimeout()));
    }
    for (ServerTargetConfig fleet : config.servers()) {
      TargetConfig target = fleet.server();
      lines.add("server-level target " + fleet.name() + ": every database of " + target.url().redacted()
          + (fleet.include().isEmpty() ? "" : " matching " + patterns(fleet.include()))
          + (fleet.exclude().isEmpty() ? "" : " except " + patterns(fleet.exclude()))
          + ", listed from pg_database in " + fleet.home() + " every " + Durations.format(fleet.discoverEvery())
          + " (templates and databases that refuse connections never); each is a target named "
          + fleet.name() + "-<database> (password " + (target.url().password().isPresent() ? "set" : "not set")
          + ", connect timeout " + Durations.format(target.connectTimeout()) + ")");
      if (fleet.exclude().stream().anyMatch(p -> p.matches(fleet.home()))) {
        lines.add("  warning: exclude matches " + fleet.home() + ", the URL's database, which is watched anyway "
            + "(discovery lists the databases there and its target probes replication)");
      }
      lines.add("  replication: probed once, from the target of " + fleet.home()
          + (target.replicas().isEmpty() ? "" : ", replicas " + target.replicas().stream()
              .map(r -> r.name() + " " + r.url().redacted()).collect(Collectors.joining(", "))));
      lines.add("  migrations: " + (fleet.migrations().isEmpty() ? "not configured (no drift check)"
          : fleet.migrations().entrySet().stream().map(e -> e.getKey() + " " + e.getValue().describe())
              .sorted().collect(Collectors.joining("; "))));
      WatchConfig watch = target.watch();
      lines.add("  watch: every " + Durations.format(watch.interval()) + ", every "
          + Durations.format(watch.windowInterval()) + " during migrations, probe timeout "
          + Durations.format(watch.statementTimeout()));
    }
    Rules rules = config.rules();
    for (RuleKind kind : RuleKind.values()) {
      Threshold inWindow = rules.threshold(kind, true);
      Threshold always = rules.threshold(kind, false);
      lines.add("rule " + kind.yaml() + ": " + threshold(inWindow, kind.unit())
          + (always.equals(inWindow.withoutAbort()) ? ""
              : "; outside windows " + threshold(always, kind.unit())));
    }
    lines.add("alerts: " + alertSinks(config.alerts()));
    KillSwitchConfig killSwitch = config.killSwitch();
    lines.add("kill switch: " + ConfigNode.spelling(killSwitch.mode()) + ", "
        + killSwitch.hooks().size() + " hook(s)"
        + killSwitch.hooks().stream().map(ConfigSummary::hook).collect(Collectors.joining())
        + (killSwitch.mode() == KillSwitchConfig.Mode.CANCEL_AND_TERMINATE_BLOCKERS
            ? "; may terminate idle-in-transaction blockers of roles " + killSwitch.terminate().roles()
                + " idle for " + Durations.format(killSwitch.terminate().idleInTransactionAfter())
            : killSwitch.terminate().roles().isEmpty() ? ""
            : "; terminate roles ignored (only mode cancel-and-terminate-blockers terminates)")
        + killSwitch.deadManAfter().map(d -> "; dead-man switch after " + Durations.format(d)
            + (killSwitch.hooks().isEmpty() ? " (no hooks: it can only log)" : "")).orElse(""));
    return lines;
  }

  private static String patterns(List<DatabasePattern> patterns) {
    return patterns.stream().map(DatabasePattern::glob).collect(Collectors.joining(", "));
  }

  private static String threshold(Threshold threshold, Unit unit) {
    return "warn " + threshold.warn().map(unit::asWritten).orElse("off")
        + ", abort " + threshold.abort().map(unit::asWritten).orElse("off")
        + ", for " + Durations.format(threshold.sustainedFor());
  }

  private static String alertSinks(AlertsConfig alerts) {
    List<String> sinks = new ArrayList<>();
    alerts.slack().ifPresent(s -> sinks.add(AlertsConfig.SLACK + routing(s.routing())));
    alerts.pagerduty().ifPresent(p -> sinks.add(AlertsConfig.PAGERDUTY
        + p.url().map(u -> " " + PrintableUrl.of(u.toString())).orElse("") + routing(p.routing())));
    alerts.webhooks().forEach(w -> sinks.add(w.name() + (w.secret().isPresent() ? " (signed)" : "")
        + routing(w.routing())));
    alerts.alertmanager().ifPresent(a -> sinks.add(AlertsConfig.ALERTMANAGER + " "
        + PrintableUrl.of(a.url().toString()) + routing(a.routing())));
    if (sinks.isEmpty()) {
      return "none configured (no notifications are sent)";
    }
    return String.join(", ", sinks) + "; repeated every " + Durations.format(alerts.repeatInterval())
        + ", resolved notifications " + (alerts.resolve() ? "on" : "off")
        + ", query text " + (alerts.queryText() ? "included" : "left out")
        + ", spool " + alerts.spool().directory().map(Object::toString).orElse("$PGVIGIL_DATA_DIR/spool")
        + " (at most " + alerts.spool().maxPerSink() + " per sink)";
  }

  private static String routing(AlertsConfig.Routing routing) {
    List<String> parts = new ArrayList<>();
    if (!routing.severities().isEmpty()) {
      parts.add(routing.severities().stream().map(Severity::wireName).sorted().collect(Collectors.joining(", ")));
    }
    if (!routing.targets().isEmpty()) {
      parts.add("targets " + routing.targets().stream().sorted().collect(Collectors.joining(", ")));
    }
    return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
  }

  private static String hook(KillSwitchConfig.Hook hook) {
    return hook instanceof KillSwitchConfig.ExecHook exec ? "; exec " + exec.command().get(0)
        : "; webhook (URL hidden)";
  }
}
