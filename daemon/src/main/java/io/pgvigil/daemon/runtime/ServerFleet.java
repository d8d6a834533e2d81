package io.pgvigil.daemon.runtime;

import io.pgvigil.daemon.config.ServerTargetConfig;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.discovery.DatabaseDiscovery;
import io.pgvigil.daemon.http.Targets;
import io.pgvigil.daemon.watch.Failures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The databases of one server-level target: lists them every {@code discoverEvery} (the first time before the
 * daemon listens), deploys a monitor for each new one and retires the monitor of each one gone. A round that
 * cannot reach the server changes nothing and is logged once until one succeeds. Rounds never overlap.
 */
final class ServerFleet extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ServerFleet.class);

  /**
   * Builds a database's target; {@code lost} is run when it goes down (its database may have been dropped); once
   * {@code retired} answers true its monitor is being stopped and what it still signals is dropped.
   */
  interface Builder {
    Targets.Target build(TargetConfig target, boolean replication, Runnable lost, BooleanSupplier retired);
  }

  /** Told of the targets that come and go (ownership counts them). */
  interface Roster {
    /** A target came, before its monitor starts. */
    void joined(String target);

    /** A target left: its meters, alerts and ownership records go; called after its monitor stopped. */
    void retired(String target);
  }

  /** A database watched: its target's name, its monitor's deployment, and whether it is being retired. */
  private record Watched(String target, String deployment, AtomicBoolean retired) {}

  private final ServerTargetConfig server;
  private final Set<String> taken;
  private final Builder builder;
  private final Targets targets;
  private final Roster roster;
  /** Database → its target; touched on this verticle's context only. */
  private final Map<String, Watched> watched = new LinkedHashMap<>();
  /**
   * Database → the undeploy of its last target, while it runs: a database dropped and created again under the same
   * name is watched again only after it, so the two targets' meters and records never overlap.
   */
  private final Map<String, Future<Void>> retiring = new HashMap<>();
  /** Database → the configured target that watches it already (same host, port and database). */
  private final Map<String, String> configured;
  /** The databases skipped for a configured target, logged once each. */
  private final Set<String> skipped = new HashSet<>();
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

  /**
   * @param taken the names of the configured targets: a database's target never takes one of them
   * @param configured database → the configured target whose URL has this server's host and port and that database:
   *     it is watched by that target only (two targets would take two locks, and two instances could act on it)
   */
  ServerFleet(ServerTargetConfig server, Set<String> taken, Map<String, String> configured, Builder builder,
      Targets targets, Roster roster) {
    this.server = server;
    this.taken = Set.copyOf(taken);
    this.configured = Map.copyOf(configured);
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
    watched.values().forEach(w -> w.retired().set(true));
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
      if (configured.containsKey(database)) {
        if (skipped.add(database)) {
          LOG.info("server target {}: database {} is not watched here: configured target {} watches it already",
              server.name(), database, configured.get(database));
        }
      } else if (!watched.containsKey(database) && !wanted.contains(database)) {
        changes.add(watch(database));
      }
    }
    return Future.join(changes).mapEmpty();
  }

  /** Never fails: a database that cannot be watched is logged with its cause and tried again at the next listing. */
  private Future<Void> watch(String database) {
    Future<Void> before = retiring.getOrDefault(database, Future.succeededFuture());
    return before.compose(v -> deploy(database)).recover(e -> {
      LOG.warn("server target {}: cannot watch database {}: {}; trying again at the next listing", server.name(),
          database, Failures.message(e));
      return Future.succeededFuture();
    });
  }

  private Future<Void> deploy(String database) {
    if (stopped || watched.containsKey(database)) {
      return Future.succeededFuture();
    }
    TargetConfig config = server.target(database, taken);
    if (targets.find(config.name()).isPresent()) {
      LOG.warn("server target {}: database {} is not watched: its target name {} is taken by another target",
          server.name(), database, config.name());
      return Future.succeededFuture();
    }
    boolean replication = database.equals(server.home());
    AtomicBoolean retired = new AtomicBoolean();
    // Building reads the URL's TLS files: off the event loop.
    return vertx.executeBlocking(() -> builder.build(config, replication, this::soon, retired::get))
        .compose(target -> {
          roster.joined(config.name());
          // Listed only once started: the API reads a monitor's status, which start() is still filling until then.
          return vertx.deployVerticle(target.monitor()).compose(deployment -> {
            Watched w = new Watched(config.name(), deployment, retired);
            if (stopped || !targets.add(target)) {
              LOG.warn("server target {}: database {} is not watched: its target name {} was taken meanwhile",
                  server.name(), database, config.name());
              return undeploy(w);
            }
            watched.put(database, w);
            LOG.info("server target {}: watching database {} as target {}{}", server.name(), database,
                config.name(), replication ? " (with the replication probe)" : "");
            return Future.<Void>succeededFuture();
          }, e -> {
            retired.set(true);
            roster.retired(config.name());
            return Future.failedFuture(e);
          });
        });
  }

  private Future<Void> retire(String database) {
    Watched gone = watched.remove(database);
    if (gone == null) {
      return retiring.getOrDefault(database, Future.succeededFuture());
    }
    targets.remove(gone.target());
    Promise<Void> done = Promise.promise();
    retiring.put(database, done.future());
    undeploy(gone).onComplete(ar -> {
      LOG.info("server target {}: target {} of database {} retired", server.name(), gone.target(), database);
      retiring.remove(database, done.future());
      done.complete();
    });
    return done.future();
  }

  private Future<Void> undeploy(Watched w) {
    w.retired().set(true);
    return vertx.undeploy(w.deployment()).recover(e -> Future.succeededFuture()).map(v -> {
      roster.retired(w.target());
      return null;
    });
  }
}
