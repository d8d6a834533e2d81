package io.pgvigil.daemon.config;

import java.util.List;
import java.util.Objects;

/** The whole configuration file, validated; build it with {@link ConfigLoader}. */
public record PgvigilConfig(ServerConfig server, List<TargetConfig> targets, Rules rules,
                            AlertsConfig alerts, KillSwitchConfig killSwitch) {

    public PgvigilConfig {
        Objects.requireNonNull(server, "server");
        targets = List.copyOf(targets);
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(killSwitch, "killSwitch");
    }

    /** Human-readable lines for {@code check-config}; never contains a secret. */
    public List<String> describe() {
        return ConfigSummary.lines(this);
    }
}
