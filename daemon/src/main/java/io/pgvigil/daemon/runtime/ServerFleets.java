package io.pgvigil.daemon.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.daemon.alerting.Alerting;
import io.pgvigil.daemon.alerting.Signal;
import io.pgvigil.daemon.cluster.OwnerDirectory;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.metrics.MeterNames;
import io.pgvigil.daemon.watch.Owners;
import io.pgvigil.daemon.windows.WindowRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Builds the server-level targets' fleets for {@link RunningDaemon}: what a discovered database's target joins. */
final class ServerFleets {

  private ServerFleets() {}

  /**
   * One {@link ServerFleet} per server-level target: its databases' targets are built as a configured target's
   * are; one that goes down asks for a listing at once (its database may have been dropped), and one retired takes
   * its meters, alerts and ownership with it.
   */
  static List<ServerFleet> of(PgvigilConfig config, ShadowSettings.Storage storage, WindowRegistry windows,
      AbortLog aborts, Alerting alerting, MeterRegistry registry, Duration maxBackoff, Clock clock, Owners owners,
      OwnerDirectory directory, Targets targets) {
    Set<String> taken = config.configuredNames();
    ServerFleet.Roster roster = new ServerFleet.Roster() {
      @Override
      public void joined(String target) {
        owners.counted(target, true);
      }

      @Override
      public void retired(String target) {
        List.copyOf(registry.getMeters()).stream()
            .filter(m -> target.equals(m.getId().getTag(MeterNames.TAG_TARGET)))
            .forEach(registry::remove);
        alerting.retire(target);
        owners.counted(target, false);
        directory.retired(target);
      }
    };
    return config.servers().stream().map(server -> new ServerFleet(server, taken,
        (target, replication, lost) -> TargetSetups.from(target, config, storage, windows, aborts, signal -> {
          alerting.accept(signal);
          if (signal instanceof Signal.Reachability r && !r.up()) {
            lost.run();
          }
        }, registry, maxBackoff, clock, owners, directory, replication), targets, roster)).toList();
  }

}
