package io.pgvigil.daemon.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.checks.locks.LockAnalysis;
import io.pgvigil.daemon.alerting.Signal;
import io.pgvigil.daemon.cluster.OwnerDirectory;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.drift.DriftCheck;
import io.pgvigil.daemon.drift.DriftState;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.killswitch.KillSwitch;
import io.pgvigil.daemon.locks.InvalidIndexCheck;
import io.pgvigil.daemon.locks.LockState;
import io.pgvigil.daemon.locks.LockWatchCheck;
import io.pgvigil.daemon.metrics.MeterNames;
import io.pgvigil.daemon.replication.ReplicationCheck;
import io.pgvigil.daemon.replication.ReplicationState;
import io.pgvigil.daemon.rules.RuleEvaluator;
import io.pgvigil.daemon.rules.TargetRules;
import io.pgvigil.daemon.watch.Owners;
import io.pgvigil.daemon.watch.Ownership;
import io.pgvigil.daemon.watch.TargetCheck;
import io.pgvigil.daemon.watch.TargetMonitor;
import io.pgvigil.daemon.watch.TargetSpec;
import io.pgvigil.daemon.watch.TargetSpecs;
import io.pgvigil.daemon.windows.MigrationWatchCheck;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Builds a target's checks and monitor from the config: the one place that decides what runs. */
final class TargetSetups {

  private TargetSetups() {}

  static Targets.Target from(TargetConfig target, PgvigilConfig config, ShadowSettings.Storage storage,
      WindowRegistry windows, AbortLog aborts, Consumer<Signal> signals, MeterRegistry registry,
      Duration maxBackoff, Clock clock, Owners owners, OwnerDirectory directory) {
    return from(target, config, storage, windows, aborts, signals, registry, maxBackoff, clock, owners, directory,
        true);
  }

  /** @param probesReplication whether this target probes replication (one database per server does, see ServerFleet) */
  static Targets.Target from(TargetConfig target, PgvigilConfig config, ShadowSettings.Storage storage,
      WindowRegistry windows, AbortLog aborts, Consumer<Signal> signals, MeterRegistry registry,
      Duration maxBackoff, Clock clock, Owners owners, OwnerDirectory directory, boolean probesReplication) {
    Gauge.builder(MeterNames.MIGRATION_WINDOW_ACTIVE, windows, w -> w.active(target.name()) ? 1 : 0)
        .description("1 while a migration window is open on the target")
        .tags(MeterNames.TAG_TARGET, target.name()).register(registry);
    windows.countWindowsOf(target.name());
    aborts.countActionsOf(target.name(), config.killSwitch());
    // Inside a window the lock watch polls at windowInterval: a stall is seen within a quarter second.
    Supplier<Duration> watchInterval = () -> windows.active(target.name())
        ? target.watch().windowInterval() : target.watch().interval();
    List<TargetCheck> checks = new ArrayList<>();
    TargetSpec spec = TargetSpecs.from(target, maxBackoff);
    LockState locks = new LockState(target.name(), registry);
    Duration queryTimeout = spec.queryTimeout().plus(spec.connectTimeout());
    // The lease: a lock connection silent for longer is ended by the server, and the owner gives up
    // a little before (see Ownership): an interval between confirmations and one round trip.
    Ownership ownership = new Ownership(spec, config.server().cluster().name(),
        spec.interval().plus(spec.connectTimeout()));
    KillSwitch killSwitch = new KillSwitch(target.name(), config.killSwitch(), windows, aborts, clock);
    TargetRules rules = new TargetRules(target.name(),
        new RuleEvaluator(target.name(), config.rules(), clock), killSwitch, windows,
        (source, verdicts) -> signals.accept(new Signal.Verdicts(target.name(), source, verdicts)),
        config.alerts().queryText(),
        target.replicas().stream().map(TargetConfig.ReplicaConfig::name).collect(Collectors.toSet()),
        ownership::owned);
    checks.add(new LockWatchCheck(new LockAnalysis(LockAnalysis.DEFAULT_WRITE_THRESHOLD,
        target.watch().redactLiterals()), watchInterval, queryTimeout, locks, rules,
        LockWatchCheck.statementAge(config.rules(), LockAnalysis.DEFAULT_WRITE_THRESHOLD)));
    checks.add(new InvalidIndexCheck(queryTimeout, locks));
    checks.add(new MigrationWatchCheck(target.name(), target.watch().migrationApplicationNames(),
        watchInterval, queryTimeout, windows));
    ReplicationState replication = new ReplicationState(target.name(), registry);
    if (probesReplication) {
      checks.add(new ReplicationCheck(target, queryTimeout, replication, clock, rules,
          url -> TargetSpecs.connectOptions(url, target.watch().statementTimeout())));
    }
    Optional<DriftState> drift = Optional.empty();
    if (target.migrations().isPresent()) {
      DriftState state = new DriftState(target.name(), registry);
      checks.add(new DriftCheck(target, storage, state::last, report -> {
        state.update(report);
        if (ownership.owned()) { // a run that outlived this instance's ownership does not alert
          signals.accept(new Signal.Drift(report));
        }
      }, clock));
      drift = Optional.of(state);
    }
    Gauge.builder(MeterNames.TARGET_OWNER, ownership, o -> o.owned() ? 1 : 0)
        .description("1 on the instance that owns the target (polls it, alerts, may cancel), 0 on the others")
        .tags(MeterNames.TAG_TARGET, target.name(), MeterNames.TAG_INSTANCE, directory.instance())
        .register(registry);
    // The dead-man switch runs where the target is watched, or for a target nobody owns on the one
    // instance that speaks for it: it fires once, not once per instance.
    Function<Vertx, Future<Void>> deadMan = vertx -> {
      if (!ownership.owned() && directory.owner(target.name()).isPresent()) {
        killSwitch.watchedElsewhere();
        return Future.succeededFuture();
      }
      return directory.speaksFor(target.name(), ownership.owned()) ? killSwitch.deadManTick(vertx)
          : Future.succeededFuture();
    };
    TargetMonitor monitor = new TargetMonitor(spec, checks, deadMan, registry, clock,
        (name, up, since) -> signals.accept(new Signal.Reachability(name, up, since)), ownership, owners,
        new TargetMonitor.Owned() {
          @Override
          public void changed(String name, boolean owned) {
            directory.owned(name, owned);
            signals.accept(new Signal.Ownership(name, owned));
          }

          @Override
          public void held(String name) {
            directory.held(name);
          }
        });
    return new Targets.Target(monitor, locks, replication, drift);
  }
}
