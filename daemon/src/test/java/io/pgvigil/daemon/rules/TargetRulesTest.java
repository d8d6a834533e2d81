package io.pgvigil.daemon.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.alerts.testing.MutableClock;
import io.pgvigil.checks.replication.ReplicaLag;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.config.Threshold;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A report that comes back after this instance lost the target neither alerts nor reaches the kill switch. */
class TargetRulesTest {

  private final MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");

  @Test
  void aReportIsEvaluatedOnlyWhileThisInstanceOwnsTheTarget() {
    Rules rules = new Rules(Map.of(RuleKind.REPLICATION_LAG,
        new Threshold(Optional.of(10.0), Optional.of(60.0), Duration.ZERO)), Map.of());
    List<List<RuleVerdict>> alerted = new ArrayList<>();
    List<List<RuleVerdict>> acted = new ArrayList<>();
    AtomicBoolean owned = new AtomicBoolean(true);
    TargetRules targetRules = new TargetRules("app", new RuleEvaluator("app", rules, clock),
        (source, verdicts, locks, vertx, client) -> {
          acted.add(verdicts);
          return Future.succeededFuture();
        },
        new WindowRegistry(clock), (source, verdicts) -> alerted.add(verdicts), false, Set.of("replica-1"),
        owned::get);

    targetRules.onReplication(lagging(), null, null);
    assertThat(alerted).hasSize(1);
    // Outside a window the lag is a warning (an abort needs a window); what matters is that it is told.
    assertThat(alerted.get(0)).extracting(RuleVerdict::level).containsExactly(RuleVerdict.Level.WARN);
    assertThat(acted).hasSize(1);

    owned.set(false);
    targetRules.onReplication(lagging(), null, null);
    assertThat(alerted).hasSize(1);
    assertThat(acted).hasSize(1);
  }

  private ReplicationReport lagging() {
    ReplicaLag replica = new ReplicaLag("replica-1", false, "streaming", "async", "10.0.0.2", null, null, 120.0,
        null, null, 1024L, 120.0, null, null, null, null, false, true);
    return new ReplicationReport(clock.instant(), false, List.of(replica), List.of(), List.of(), List.of());
  }
}
