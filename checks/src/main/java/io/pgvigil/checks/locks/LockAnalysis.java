package io.pgvigil.checks.locks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Turns a {@link LockSnapshot} into a {@link LockReport}: blocking trees, lock queues, running DDL, long bulk writes,
 * idle transactions and the summary numbers. Pure: no I/O, no clock (ages come from the server's time in the snapshot).
 */
public final class LockAnalysis {

  /** An UPDATE running this long without a break is worth a look: an unbatched backfill. */
  public static final Duration DEFAULT_WRITE_THRESHOLD = Duration.ofSeconds(10);

  private final double writeThresholdSeconds;
  private final UnaryOperator<String> text;

  /** @param redactLiterals replace string and numeric literals in query texts with {@code ?} */
  public LockAnalysis(Duration writeThreshold, boolean redactLiterals) {
    if (writeThreshold.isNegative()) {
      throw new IllegalArgumentException("writeThreshold was " + writeThreshold + " but must be >= 0");
    }
    this.writeThresholdSeconds = writeThreshold.toNanos() / 1e9;
    this.text = redactLiterals ? LiteralRedactor::redact : UnaryOperator.identity();
  }

  public LockReport analyze(LockSnapshot snapshot) {
    List<BlockingTree> trees = BlockingTrees.of(snapshot, text);
    List<LockQueue> queues = LockQueues.of(snapshot, text);
    List<RunningDdl> ddl = new ArrayList<>();
    List<RunningWrite> writes = new ArrayList<>();
    List<IdleTransaction> idle = new ArrayList<>();
    Set<Integer> blockers = new HashSet<>();
    snapshot.sessions().forEach(session -> blockers.addAll(session.blockedBy()));
    int waiting = 0;
    double maxWait = 0;
    for (Session session : snapshot.sessions()) {
      if (!snapshot.here(session)) {
        continue;
      }
      if (session.waitingOnLock()) {
        waiting++;
        maxWait = Math.max(maxWait, snapshot.secondsSince(session.waitStart()));
      }
      if (session.idleInTransaction()) {
        idle.add(new IdleTransaction(session.pid(), session.user(), session.applicationName(),
            snapshot.secondsSince(session.stateChange()), snapshot.secondsSince(session.xactStart()),
            blockers.contains(session.pid()), text.apply(session.query())));
      }
      if (session.active() && "client backend".equals(session.backendType())) {
        classify(session, snapshot, ddl, writes);
      }
    }
    ddl.sort(Comparator.comparingDouble(RunningDdl::runtimeSeconds).reversed());
    writes.sort(Comparator.comparingDouble(RunningWrite::runtimeSeconds).reversed());
    idle.sort(Comparator.comparingDouble(IdleTransaction::idleSeconds).reversed());
    LockSummary summary = new LockSummary(waiting, (int) trees.stream().filter(tree -> !tree.root().waiting()).count(),
        maxWait, queues.stream().mapToInt(LockQueue::depth).max().orElse(0),
        queues.stream().mapToDouble(LockQueue::costSeconds).max().orElse(0),
        idle.isEmpty() ? 0 : idle.get(0).idleSeconds(), ddl.isEmpty() ? 0 : ddl.get(0).runtimeSeconds(),
        writes.size(), writes.isEmpty() ? 0 : writes.get(0).runtimeSeconds());
    return new LockReport(snapshot.serverTime(), snapshot.database(), summary, trees, queues, ddl, writes, idle);
  }

  private void classify(Session session, LockSnapshot snapshot, List<RunningDdl> ddl, List<RunningWrite> writes) {
    Command command = Command.of(session.query());
    double runtime = snapshot.secondsSince(session.queryStart());
    double transaction = snapshot.secondsSince(session.xactStart());
    if (command.kind() == Command.Kind.DDL) {
      ddl.add(new RunningDdl(session.pid(), session.user(), session.applicationName(), command.name(), runtime,
          transaction, session.waitEventType(), session.waitEvent(), text.apply(session.query()),
          session.progress()));
    } else if (command.kind() == Command.Kind.WRITE && runtime >= writeThresholdSeconds) {
      writes.add(new RunningWrite(session.pid(), session.user(), session.applicationName(), command.name(), runtime,
          transaction, session.waitEventType(), session.waitEvent(), text.apply(session.query())));
    }
  }
}
