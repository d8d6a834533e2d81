package io.pgvigil.daemon.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.DriftState;
import io.pgvigil.daemon.drift.DriftCheck;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.checks.locks.LockAnalysis;
import io.pgvigil.daemon.locks.InvalidIndexCheck;
import io.pgvigil.daemon.locks.LockState;
import io.pgvigil.daemon.locks.LockWatchCheck;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.killswitch.KillSwitch;
import io.pgvigil.daemon.rules.RuleEvaluator;
import io.pgvigil.daemon.rules.RuleListener;
import io.pgvigil.daemon.rules.TargetRules;
import io.pgvigil.daemon.windows.MigrationWatchCheck;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.pgvigil.daemon.metrics.MeterNames;
import io.micrometer.core.instrument.Gauge;
import java.util.function.Supplier;
import io.pgvigil.daemon.replication.ReplicationCheck;
import io.pgvigil.daemon.replication.ReplicationState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builds every target's checks from the config: the one place that decides what runs. */
public final class TargetSetups {


  private TargetSetups() {}

  public static List<TargetSetup> from(PgvigilConfig config, ShadowSettings.Storage storage,
      WindowRegistry windows, AbortLog aborts, RuleListener listener, MeterRegistry registry,
      Duration maxBackoff, Clock clock) {
    return config.targets().stream()
        .map(t -> from(t, config, storage, windows, aborts, listener, registry, maxBackoff, clock))
        .toList();
  }

  static TargetSetup from(TargetConfig target, PgvigilConfig config, ShadowSettings.Storage storage,
      WindowRegistry windows, AbortLog aborts, RuleListener listener, MeterRegistry registry,
      Duration maxBackoff, Clock clock) {
    Gauge.builder(MeterNames.MIGRATION_WINDOW_ACTIVE, windows, w -> w.active(target.name()) ? 1 : 0)
        .description("1 while a migration window is open on the target")
        .tags(MeterNames.TAG_TARGET, target.name())
        .register(registry);
    // Inside a window the lock watch polls at windowInterval: a stall is seen within a quarter second.
    Supplier<Duration> watchInterval = () -> windows.active(target.name())
        ? target.watch().windowInterval() : target.watch().interval();
    List<TargetCheck> checks = new ArrayList<>();
    TargetSpec spec = TargetSpecs.from(target, maxBackoff);
    LockState locks = new LockState(target.name(), registry);
    Duration queryTimeout = spec.queryTimeout().plus(spec.connectTimeout());
    KillSwitch killSwitch = new KillSwitch(target.name(), config.killSwitch(), windows, aborts, clock);
    TargetRules rules = new TargetRules(target.name(),
        new RuleEvaluator(target.name(), config.rules(), clock), killSwitch, windows, listener,
        config.alerts().queryText(),
        target.replicas().stream().map(TargetConfig.ReplicaConfig::name).collect(java.util.stream.Collectors.toSet()));
    checks.add(new LockWatchCheck(new LockAnalysis(LockAnalysis.DEFAULT_WRITE_THRESHOLD,
        target.watch().redactLiterals()), watchInterval, queryTimeout, locks, rules));
    checks.add(new InvalidIndexCheck(queryTimeout, locks));
    checks.add(new MigrationWatchCheck(target.name(), target.watch().migrationApplicationNames(),
        watchInterval, queryTimeout, windows));
    ReplicationState replication = new ReplicationState(target.name(), registry);
    checks.add(new ReplicationCheck(target, queryTimeout, replication, clock, rules));
    Optional<DriftState> drift = Optional.empty();
    if (target.migrations().isPresent()) {
      DriftState state = new DriftState(target.name(), registry);
      checks.add(DriftCheck.of(target, storage, state::last, state::update, clock));
      drift = Optional.of(state);
    }
    return new TargetSetup(spec, checks, drift, locks, replication, Optional.of(killSwitch));
  }
}
