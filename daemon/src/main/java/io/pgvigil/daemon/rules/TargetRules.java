package io.pgvigil.daemon.rules;

import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.windows.WindowRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.SqlClient;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One target's rules on its event loop: each fresh lock or replication report is measured,
 * evaluated in the profile that applies, and handed to the listener (alerts) and the kill switch.
 */
public final class TargetRules {

  private static final Logger LOG = LoggerFactory.getLogger(TargetRules.class);

  private final String target;
  private final RuleEvaluator evaluator;
  private final AbortListener aborts;
  private final WindowRegistry windows;
  private final BiConsumer<Source, List<RuleVerdict>> listener;
  private final boolean queryText;
  private final Set<String> standbys;
  private final BooleanSupplier owned;
  private OffsetDateTime lastLockPoll;

  /**
   * @param listener told every rule and object at WARN or ABORT after each evaluation of a source;
   *                 must not block
   * @param standbys the configured replicas: only their going away is {@code standbyGone}'s business
   */
  public TargetRules(String target, RuleEvaluator evaluator, AbortListener aborts, WindowRegistry windows,
      BiConsumer<Source, List<RuleVerdict>> listener, boolean queryText, Set<String> standbys) {
    this(target, evaluator, aborts, windows, listener, queryText, standbys, () -> true);
  }

  /**
   * @param owned whether this instance owns the target now, asked again when a report arrives: a
   *              check that began while it did may come back after it lost the target, and must
   *              then neither alert nor act (the new owner does)
   */
  public TargetRules(String target, RuleEvaluator evaluator, AbortListener aborts, WindowRegistry windows,
      BiConsumer<Source, List<RuleVerdict>> listener, boolean queryText, Set<String> standbys,
      BooleanSupplier owned) {
    this.owned = owned;
    this.standbys = Set.copyOf(standbys);
    this.target = target;
    this.evaluator = evaluator;
    this.aborts = aborts;
    this.windows = windows;
    this.listener = listener;
    this.queryText = queryText;
  }

  public String target() {
    return target;
  }

  public Future<Void> onLocks(LockReport report, Vertx vertx, SqlClient client) {
    if (lastLockPoll != null && report.serverTime().isBefore(lastLockPoll)) {
      // A poll that outlived its timeout and came back after a newer one: it is not fresh.
      return Future.succeededFuture();
    }
    lastLockPoll = report.serverTime();
    return evaluate(Source.LOCKS, Measurements.of(report, queryText), report, vertx, client);
  }

  public Future<Void> onReplication(ReplicationReport report, Vertx vertx, SqlClient client) {
    return evaluate(Source.REPLICATION, Measurements.of(report, standbys), null, vertx, client);
  }

  private Future<Void> evaluate(Source source, List<Measurement> measurements, LockReport locks, Vertx vertx,
      SqlClient client) {
    if (!owned.getAsBoolean()) {
      LOG.debug("target {}: {} report dropped: this instance no longer owns the target", target, source);
      return Future.succeededFuture();
    }
    List<RuleVerdict> verdicts = evaluator.evaluate(source, measurements, windows.inWindowProfile(target));
    try {
      listener.accept(source, verdicts);
    } catch (RuntimeException e) {
      // The kill switch must not depend on the alerting path working.
      LOG.error("target {}: rule listener failed on {} verdicts", target, source, e);
    }
    return aborts.evaluated(source, verdicts, locks, vertx, client);
  }
}
