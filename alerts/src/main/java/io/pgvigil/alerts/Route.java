package io.pgvigil.alerts;

import java.util.Set;

/**
 * Which alerts go to a sink. An empty set means "all": {@code new Route("pagerduty", Set.of(CRITICAL), Set.of())} pages
 * only on critical alerts of any target.
 */
public record Route(String sink, Set<Severity> severities, Set<String> targets) {

  public Route {
    severities = Set.copyOf(severities);
    targets = Set.copyOf(targets);
  }

  public boolean matches(Alert alert) {
    return (severities.isEmpty() || severities.contains(alert.severity()))
        && (targets.isEmpty() || targets.contains(alert.target()));
  }
}
