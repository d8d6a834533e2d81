package io.pgvigil.daemon.replication;

import io.pgvigil.checks.replication.PrimaryReplicationProbe;
import io.pgvigil.checks.replication.ReplicaProbe;
import io.pgvigil.checks.replication.ReplicaStatus;
import io.pgvigil.checks.replication.ReplicationTracker;
import io.pgvigil.daemon.config.DatabaseUrl;
import io.pgvigil.daemon.config.TargetConfig;
import io.pgvigil.daemon.rules.TargetRules;
import io.pgvigil.daemon.tls.VertxTls;
import io.pgvigil.daemon.watch.Failures;
import io.pgvigil.daemon.watch.TargetCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication, every {@code watch.interval}: the standbys and slots as the primary sees them, and
 * each configured replica as it sees itself (its own small pool). A configured replica's
 * {@code name} is the {@code application_name} it streams with, as the primary names it; one
 * missing from the primary's view is "gone", never zero lag.
 */
public final class ReplicationCheck extends TargetCheck {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationCheck.class);
  public static final String NAME = "replication";

  private final TargetConfig target;
  private final ReplicationState state;
  private final Clock clock;
  private final TargetRules rules;
  private final Set<String> expected;
  private final Function<DatabaseUrl, PgConnectOptions> connect;
  private final PrimaryReplicationProbe primaryProbe = new PrimaryReplicationProbe();
  private final ReplicaProbe replicaProbe = new ReplicaProbe();
  private final ReplicationTracker tracker = new ReplicationTracker();
  private final Map<String, ReplicaPool> replicaPools = new LinkedHashMap<>();

  /** @param connect how a pgvigil session connects to a replica's URL (its safety settings included) */
  public ReplicationCheck(TargetConfig target, Duration timeout, ReplicationState state, Clock clock,
      TargetRules rules, Function<DatabaseUrl, PgConnectOptions> connect) {
    super(NAME, target.watch()::interval, timeout);
    this.target = target;
    this.state = state;
    this.clock = clock;
    this.rules = rules;
    this.connect = connect;
    this.expected = target.replicas().stream().map(TargetConfig.ReplicaConfig::name)
        .collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public Future<Void> run(Context context) {
    Future<Map<String, ReplicaStatus>> replicas = replicas(context.vertx());
    return primaryProbe.poll(context.pool())
        .compose(primary -> replicas.map(seen -> tracker.update(clock.instant(), primary, seen, expected)))
        .onSuccess(state::update)
        .onSuccess(report -> rules.onReplication(report, context.vertx(), context.signals())
            .onFailure(e -> LOG.warn("target {}: kill-switch action failed: {}", target.name(), e.toString())))
        .mapEmpty();
  }

  /**
   * Every configured replica that answered; one that did not is absent from the map, and
   * {@link ReplicaConnections} says why (in the API, and in the log when it starts failing).
   */
  private Future<Map<String, ReplicaStatus>> replicas(Vertx vertx) {
    Map<String, Future<ReplicaStatus>> polls = new LinkedHashMap<>();
    for (TargetConfig.ReplicaConfig replica : target.replicas()) {
      ReplicaPool pool = pool(vertx, replica);
      polls.put(replica.name(), replicaProbe.poll(pool.pool())
          .onSuccess(status -> state.connections().succeeded(replica.name(), replica.url().redacted()))
          .onFailure(e -> state.connections().failed(replica.name(), replica.url().redacted(),
              Failures.describe(VertxTls.explain(e, pool.options()), timeout(), replica.url().host()),
              clock.instant())));
    }
    return Future.join(List.copyOf(polls.values())).transform(ignored -> {
      Map<String, ReplicaStatus> seen = new LinkedHashMap<>();
      polls.forEach((name, poll) -> {
        if (poll.succeeded()) {
          seen.put(name, poll.result());
        }
      });
      return Future.succeededFuture(seen);
    });
  }

  private ReplicaPool pool(Vertx vertx, TargetConfig.ReplicaConfig replica) {
    return replicaPools.computeIfAbsent(replica.name(), name -> {
      PgConnectOptions options = connect.apply(replica.url());
      return new ReplicaPool(PgBuilder.pool()
          .with(new PoolOptions().setMaxSize(1).setName("pgvigil-" + target.name() + "-" + name))
          .with(new NetClientOptions().setConnectTimeout((int) target.connectTimeout().toMillis()))
          .connectingTo(options).using(vertx).build(), options);
    });
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = replicaPools.values().stream().map(p -> p.pool().close()).toList();
    replicaPools.clear();
    return Future.join(closing).mapEmpty();
  }

  /** A replica's pool and the options it connects with (whose trust manager explains a TLS failure). */
  private record ReplicaPool(Pool pool, PgConnectOptions options) {}
}
