package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.config.ServerTargetConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.discovery.DatabaseDiscovery;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.watch.Failures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The databases of one server-level target: lists them every {@code discoverEvery} (the first time before the
 * daemon listens), deploys a monitor for each new one and retires the monitor of each one gone. A round that
 * cannot reach the server changes nothing and is logged once until one succeeds. Rounds never overlap.
 */
final class ServerFleet extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ServerFleet.class);

  /** Builds a database's target; {@code lost} is run when it goes down (its database may have been dropped). */
  interface Builder {
    Targets.Target build(TargetConfig target, boolean replication, Runnable lost);
  }

  /** Told of the targets that come and go (ownership counts them). */
  interface Roster {
    /** A target came, before its monitor starts. */
    void joined(String target);

    /** A target left: its meters, alerts and ownership records go; called after its monitor stopped. */
    void retired(String target);
  }

  /** A database watched: its target's name and its monitor's deployment. */
  private record Watched(String target, String deployment) {}

  private final ServerTargetConfig server;
  private final Set<String> taken;
  private final Builder builder;
  private final Targets targets;
  private final Roster roster;
  /** Database → its target; touched on this verticle's context only. */
  private final Map<String, Watched> watched = new LinkedHashMap<>();
  private DatabaseDiscovery discovery;
  private long timer = -1;
  private long wantedTimer = -1;
  private boolean askingWanted;
  /** Databases a session wants to itself (being dropped): not watched again while it holds them. */
  private Set<String> wanted = Set.of();
  private boolean running;
  private boolean again;
  private boolean stopped;
  private boolean failing;

  /** @param taken the names of the configured targets: a database's target never takes one of them */
  ServerFleet(ServerTargetConfig server, Set<String> taken, Builder builder, Targets targets,
      Roster roster) {
    this.server = server;
    this.taken = Set.copyOf(taken);
    this.builder = builder;
    this.targets = targets;
    this.roster = roster;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> new DatabaseDiscovery(vertx, server)).compose(d -> {
      discovery = d;
      wantedTimer = vertx.setPeriodic(server.server().watch().interval().toMillis(), id -> letGoOfWanted());
      return round();
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    if (wantedTimer != -1) {
      vertx.cancelTimer(wantedTimer);
    }
    List<Future<?>> undeployed = new ArrayList<>();
    watched.values()
        .forEach(w -> undeployed.add(vertx.undeploy(w.deployment()).recover(e -> Future.succeededFuture())));
    return Future.join(undeployed).transform(v -> discovery == null ? Future.succeededFuture() : discovery.close());
  }

  /** A round now, not at the next tick: one of the targets went down, perhaps because its database was dropped. */
  void soon() {
    if (context == null) {
      return;
    }
    context.runOnContext(v -> {
      if (stopped) {
        return;
      }
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
      round();
    });
  }

  private Future<Void> round() {
    if (running) {
      again = true;
      return Future.succeededFuture();
    }
    running = true;
    return discovery.databases().compose(this::reconcile)
        .onSuccess(v -> {
          if (failing) {
            LOG.info("server target {}: databases listed again", server.name());
          }
          failing = false;
        })
        .recover(e -> {
          if (!failing) {
            LOG.warn("server target {}: cannot list the databases of {}: {}; trying again every {}s",
                server.name(), server.server().url().redacted(), Failures.message(e),
                server.discoverEvery().toSeconds());
          }
          failing = true;
          return Future.succeededFuture();
        })
        .eventually(() -> {
          running = false;
          if (!stopped) {
            if (again) {
              again = false;
              round();
            } else {
              timer = vertx.setTimer(server.discoverEvery().toMillis(), id -> {
                timer = -1;
                round();
              });
            }
          }
          return Future.succeededFuture();
        });
  }

  /**
   * A plain {@code DROP DATABASE} waits 5 s for the other sessions to leave, and pgvigil's would never leave: the
   * target of a database some session wants to itself stops at once (its connections closed), and is not watched
   * again while that session holds it. If the database is still there afterwards, the next listing watches it again.
   */
  private void letGoOfWanted() {
    if (askingWanted || stopped) {
      return;
    }
    askingWanted = true;
    discovery.wanted().onSuccess(now -> {
      wanted = now;
      for (String database : now) {
        if (watched.containsKey(database)) {
          LOG.info("server target {}: a session wants database {} to itself (DROP or ALTER DATABASE); target {} "
              + "lets go of it", server.name(), database, watched.get(database).target());
          retire(database);
        }
      }
    }).onComplete(ar -> askingWanted = false);
  }

  private Future<Void> reconcile(List<String> databases) {
    Set<String> now = new HashSet<>(databases);
    List<Future<?>> changes = new ArrayList<>();
    for (String database : List.copyOf(watched.keySet())) {
      if (!now.contains(database)) {
        changes.add(retire(database));
      }
    }
    for (String database : databases) {
      if (!watched.containsKey(database) && !wanted.contains(database)) {
        changes.add(watch(database));
      }
    }
    return Future.join(changes).mapEmpty();
  }

  private Future<Void> watch(String database) {
    TargetConfig config = server.target(database, taken);
    boolean replication = database.equals(server.home());
    // Building reads the URL's TLS files: off the event loop.
    return vertx.executeBlocking(() -> builder.build(config, replication, this::soon)).compose(target -> {
      if (!targets.add(target)) {
        LOG.warn("server target {}: database {} is not watched: its target name {} is taken by another target",
            server.name(), database, config.name());
        return Future.succeededFuture();
      }
      roster.joined(config.name());
      return vertx.deployVerticle(target.monitor()).<Void>map(deployment -> {
        watched.put(database, new Watched(config.name(), deployment));
        LOG.info("server target {}: watching database {} as target {}{}", server.name(), database, config.name(),
            replication ? " (with the replication probe)" : "");
        return null;
      }).onFailure(e -> {
        // Tried again at the next listing.
        targets.remove(config.name());
        roster.retired(config.name());
      });
    });
  }

  private Future<Void> retire(String database) {
    Watched gone = watched.remove(database);
    if (gone == null) {
      return Future.succeededFuture();
    }
    targets.remove(gone.target());
    return vertx.undeploy(gone.deployment()).recover(e -> Future.succeededFuture()).map(v -> {
      roster.retired(gone.target());
      LOG.info("server target {}: target {} of database {} retired", server.name(), gone.target(), database);
      return null;
    });
  }
}
