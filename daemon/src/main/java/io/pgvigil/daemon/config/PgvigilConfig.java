package io.pgvigil.daemon.config;

import java.util.List;

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

  /** Human-readable lines for {@code check-config}; never contains a secret. */
  public List<String> describe() {
    return ConfigSummary.lines(this);
  }
}
