package io.pgvigil.daemon.alerting;

import io.pgvigil.daemon.drift.DriftReport;
import io.pgvigil.daemon.killswitch.AbortDecision;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
import java.time.Instant;
import java.util.List;

/** Everything that can become an alert, pushed to {@link Alerting#accept}; the composition root adapts producers. */
public sealed interface Signal {

  /** One evaluation of a source: every rule and object at WARN or ABORT now; the rest is normal. */
  record Verdicts(String target, Source source, List<RuleVerdict> verdicts) implements Signal {}

  /** A drift check's report, a failed one included. */
  record Drift(DriftReport report) implements Signal {}

  record KillSwitch(AbortDecision decision) implements Signal {}

  /** The first heartbeat's outcome, then every change between up and down; {@code since} is when. */
  record Reachability(String target, boolean up, Instant since) implements Signal {}

  /** This instance took the target (it alerts for it from now on) or lost it to another. */
  record Ownership(String target, boolean owned) implements Signal {}
}
