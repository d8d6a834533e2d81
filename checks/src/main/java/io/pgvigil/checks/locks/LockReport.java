package io.pgvigil.checks.locks;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * Everything the lock watch concluded from one {@link LockSnapshot}: what {@code GET …/locks} shows.
 * PIDs and query texts are for people reading this report, never metric labels.
 *
 * @param serverTime        when the server was looked at (its own clock)
 * @param trees             blocking trees, the largest first
 * @param queues            queues behind waiting DDL lock requests (relation locks only), the costliest first
 * @param ddl               running DDL statements, the longest first
 * @param writes            bulk writes over the threshold, the longest first
 * @param idleInTransaction idle-in-transaction sessions, the longest idle first
 */
public record LockReport(OffsetDateTime serverTime, String database, LockSummary summary, List<BlockingTree> trees,
    List<LockQueue> queues, List<RunningDdl> ddl, List<RunningWrite> writes, List<IdleTransaction> idleInTransaction) {

  public LockReport {
    trees = List.copyOf(trees);
    queues = List.copyOf(queues);
    ddl = List.copyOf(ddl);
    writes = List.copyOf(writes);
    idleInTransaction = List.copyOf(idleInTransaction);
  }
}
