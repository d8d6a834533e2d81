package io.pgvigil.daemon.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.pgvigil.daemon.alerting.Alerting;
import io.pgvigil.daemon.alerting.Signal;
import io.pgvigil.daemon.cluster.OwnerDirectory;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.config.PgvigilConfig;
import io.pgvigil.daemon.config.ServerTargetConfig;
import io.pgvigil.daemon.drift.ShadowSettings;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.killswitch.AbortLog;
import io.pgvigil.daemon.metrics.MeterNames;
import io.pgvigil.daemon.watch.Owners;
import io.pgvigil.daemon.windows.WindowRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        if (targets.find(target).isPresent()) {
          // A target of that name is watched again (its database was dropped and created again): its meters,
          // alerts and ownership records are its own; only the count of the one that left goes.
          owners.countedAway();
          return;
        }
        List.copyOf(registry.getMeters()).stream()
            .filter(m -> target.equals(m.getId().getTag(MeterNames.TAG_TARGET)))
            .forEach(registry::remove);
        alerting.retire(target);
        owners.counted(target, false);
        directory.retired(target);
      }
    };
    return config.servers().stream().map(server -> new ServerFleet(server, taken, configured(config, server),
        (target, replication, lost, retired) -> TargetSetups.from(target, config, storage, windows, aborts, signal -> {
          if (retired.getAsBoolean()) {
            // A monitor being stopped may still report (a heartbeat that failed as its pool closed): its target
            // is gone, and "target down" for it would be a false alert.
            return;
          }
          alerting.accept(signal);
          if (signal instanceof Signal.Reachability r && !r.up()) {
            lost.run();
          }
        }, registry, maxBackoff, clock, owners, directory, replication), targets, roster)).toList();
  }

  /** Database → the configured target whose URL has the server-level target's host and port and that database. */
  static Map<String, String> configured(PgvigilConfig config, ServerTargetConfig server) {
    DatabaseUrl url = server.server().url();
    Map<String, String> result = new HashMap<>();
    config.targets().stream()
        .filter(t -> t.url().host().equalsIgnoreCase(url.host()) && t.url().port() == url.port())
        .forEach(t -> result.putIfAbsent(t.url().database(), t.name()));
    return result;
  }

}
