package io.pgvigil.daemon.killswitch;

import static io.pgvigil.daemon.metrics.MeterNames.ABORT_ACTIONS;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvigil.daemon.config.KillSwitchConfig;
import io.pgvigil.daemon.config.KillSwitchConfig.Mode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The abort counters a target has at 0 before its first decision: what its kill switch's mode can record. */
class AbortLogTest {

  private static final List<KillSwitchConfig.Hook> HOOK = List.of(new KillSwitchConfig.ExecHook(List.of("true")));

  @Test
  void aDryRunHasOnlyItsDryRunSeries() {
    assertThat(registered(config(Mode.DRY_RUN, List.of()))).containsExactly("cancel/dry-run", "hook/skipped");
    assertThat(registered(config(Mode.DRY_RUN, HOOK))).containsExactly("cancel/dry-run", "hook/dry-run");
  }

  @Test
  void cancelHasTheCancelOutcomesAndNoTerminate() {
    Set<String> cancel = registered(config(Mode.CANCEL, HOOK));

    assertThat(cancel).contains("cancel/cancelled", "cancel/failed", "hook/ok", "hook/failed")
        .noneMatch(s -> s.startsWith("terminate/") || s.endsWith("/dry-run") || s.equals("cancel/terminated"))
        .doesNotContain("hook/skipped");
  }

  @Test
  void terminatingBlockersAddsTheTerminateOutcomes() {
    Set<String> terminate = registered(config(Mode.CANCEL_AND_TERMINATE_BLOCKERS, List.of()));

    assertThat(terminate).contains("cancel/cancelled", "terminate/terminated", "terminate/failed", "hook/skipped")
        .doesNotContain("terminate/cancelled", "cancel/dry-run");
  }

  /** Every action and result counted at 0 for target app, as action/result. */
  private static Set<String> registered(KillSwitchConfig config) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new AbortLog(registry).countActionsOf("app", config);
    Set<String> series = new TreeSet<>();
    for (Counter c : registry.find(ABORT_ACTIONS).tag("target", "app").counters()) {
      assertThat(c.count()).isZero();
      series.add(c.getId().getTag("action") + "/" + c.getId().getTag("result"));
    }
    return series;
  }

  private static KillSwitchConfig config(Mode mode, List<KillSwitchConfig.Hook> hooks) {
    return new KillSwitchConfig(mode, hooks, KillSwitchConfig.Terminate.NONE, Optional.empty());
  }
}
