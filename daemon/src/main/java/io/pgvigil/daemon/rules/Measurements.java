package io.pgvigil.daemon.rules;

import io.pgvigil.alerts.Blocker;
import io.pgvigil.checks.locks.BlockingTree;
import io.pgvigil.checks.locks.IdleTransaction;
import io.pgvigil.checks.locks.LockQueue;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.LockSummary;
import io.pgvigil.checks.replication.ReplicaLag;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.config.Unit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What each poll measures for the rules. Lock rules are target-wide (one alert for one stall, not
 * one per waiting session), with the root blockers as the census; replication rules are per replica.
 * No query text unless {@code alerts.queryText} asks for it: the census carries pids, roles, states
 * and ages only, because a statement may hold customer data.
 */
public final class Measurements {

  private Measurements() {}

  /** @param queryText whether the census carries each session's (cut, maybe redacted) statement */
  public static List<Measurement> of(LockReport report, boolean queryText) {
    LockSummary s = report.summary();
    List<Blocker> roots = report.trees().stream().map(BlockingTree::root)
        .map(r -> blocker(r.pid(), r.user(), r.state(), r.stateSeconds(), queryText ? r.query() : null)).toList();
    Map<String, String> queue = report.queues().stream()
        .max(Comparator.comparingInt(LockQueue::depth).thenComparingDouble(LockQueue::costSeconds))
        .map(Measurements::queueDetails).orElse(Map.of());
    List<Measurement> all = new ArrayList<>();
    all.add(new Measurement(RuleKind.LOCK_WAIT, "", s.maxLockWaitSeconds(), roots,
        Map.of("waitingSessions", Integer.toString(s.waitingSessions()))));
    all.add(new Measurement(RuleKind.LOCK_QUEUE, "", s.maxQueueDepth(), roots, queue));
    all.add(new Measurement(RuleKind.LOCK_QUEUE_COST, "", s.maxQueueCostSeconds(), roots, queue));
    all.add(new Measurement(RuleKind.DDL_RUNTIME, "", s.ddlMaxSeconds(), report.ddl().stream()
        .map(d -> blocker(d.pid(), d.user(), "active " + d.command(), d.runtimeSeconds(), queryText ? d.query() : null))
        .toList(), Map.of()));
    // The age of idle transactions that block someone: one that blocks nobody does not stall a deploy
    // (pgvigil_idle_in_transaction_max_seconds still shows every idle transaction).
    List<IdleTransaction> blocking = report.idleInTransaction().stream().filter(IdleTransaction::blocking).toList();
    all.add(new Measurement(RuleKind.IDLE_IN_TRANSACTION, "",
        blocking.stream().mapToDouble(IdleTransaction::idleSeconds).max().orElse(0),
        blocking.stream().map(i -> blocker(i.pid(), i.user(), "idle in transaction", i.idleSeconds(),
            queryText ? i.query() : null)).toList(),
        Map.of()));
    all.add(new Measurement(RuleKind.LONG_WRITE, "", s.writeMaxSeconds(), report.writes().stream()
        .map(w -> blocker(w.pid(), w.user(), "active " + w.command(), w.runtimeSeconds(), queryText ? w.query() : null))
        .toList(), Map.of()));
    return all;
  }

  /**
   * Lag per standby in seconds and bytes; {@code standbyGone} counts only the configured replicas
   * ({@code standbys}): a finished pg_basebackup or a dropped logical subscriber is not a standby
   * whose loss should page anyone or abort a deploy.
   */
  public static List<Measurement> of(ReplicationReport report, Set<String> standbys) {
    List<Measurement> all = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    for (ReplicaLag r : report.replicas()) {
      // A logical consumer's lag is shown (metrics, API, its slot's retained WAL) but is not a
      // standby falling behind: a slow CDC pipeline must not abort a deploy.
      if (r.logical()) {
        continue;
      }
      if (r.gone()) {
        if (standbys.contains(r.name())) {
          gone.add(r.name());
        }
        continue;
      }
      // How far behind the standby is now (0 when caught up), not pg_stat_replication's replay_lag: that
      // keeps its last value until the standby's next status message, long after it caught up.
      Double seconds = r.replayDelaySeconds();
      if (seconds != null) {
        all.add(Measurement.of(RuleKind.REPLICATION_LAG, r.name(), seconds));
      }
      Long bytes = r.replayLagBytes() != null ? r.replayLagBytes() : r.replayGapBytes();
      if (bytes != null) {
        all.add(Measurement.of(RuleKind.REPLICATION_LAG_BYTES, r.name(), bytes));
      }
    }
    Map<String, String> details = new LinkedHashMap<>();
    if (!gone.isEmpty()) {
      details.put("gone", String.join(", ", gone));
    }
    all.add(new Measurement(RuleKind.STANDBY_GONE, "", gone.size(), List.of(), details));
    return all;
  }

  private static Map<String, String> queueDetails(LockQueue q) {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("queueHeadPid", Integer.toString(q.pid()));
    details.put("queueHeadMode", String.valueOf(q.mode()));
    if (q.relation() != null) {
      details.put("relation", q.relation());
    }
    details.put("queueDepth", Integer.toString(q.depth()));
    details.put("queueCostSeconds", Unit.fixed(q.costSeconds(), 1));
    details.put("blockedBy", q.blockedBy().stream().map(String::valueOf).collect(Collectors.joining(",")));
    return details;
  }

  private static Blocker blocker(int pid, String user, String state, double seconds, String query) {
    return new Blocker(pid, user, state, (long) seconds, query);
  }
}
