package io.pgvigil.daemon.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The whole configuration file, validated; build it with {@link ConfigLoader}. */
public record PgvigilConfig(ServerConfig server, List<TargetConfig> targets, Rules rules, AlertsConfig alerts,
    KillSwitchConfig killSwitch, List<ServerTargetConfig> servers) {

  public PgvigilConfig {
    targets = List.copyOf(targets);
    servers = List.copyOf(servers);
  }

  /** A config without server-level targets ({@code databases: auto}). */
  public PgvigilConfig(ServerConfig server, List<TargetConfig> targets, Rules rules, AlertsConfig alerts,
      KillSwitchConfig killSwitch) {
    this(server, targets, rules, alerts, killSwitch, List.of());
  }

  /** The names a discovered database's target never takes: the configured targets' and the server-level ones'. */
  public Set<String> configuredNames() {
    Set<String> names = new HashSet<>();
    targets.forEach(t -> names.add(t.name()));
    servers.forEach(s -> names.add(s.name()));
    return Set.copyOf(names);
  }

  /**
   * The configured targets, then the databases a server-level target's {@code migrations} maps, as the targets
   * they become when discovered: what the one-shot commands ({@code drift}, {@code review}) can check.
   */
  public List<TargetConfig> targetsWithMappedDatabases() {
    List<TargetConfig> all = new ArrayList<>(targets);
    servers.forEach(s -> s.migrations().keySet().stream().sorted()
        .forEach(database -> all.add(s.target(database, configuredNames()))));
    return List.copyOf(all);
  }

  /** Human-readable lines for {@code check-config}; never contains a secret. */
  public List<String> describe() {
    return ConfigSummary.lines(this);
  }
}
