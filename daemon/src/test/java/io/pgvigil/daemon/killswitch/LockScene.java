package io.pgvigil.daemon.killswitch;

import io.pgvigil.checks.locks.LockAnalysis;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.LockRequest;
import io.pgvigil.checks.locks.LockSnapshot;
import io.pgvigil.checks.locks.Session;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** A lock situation written session by session, analysed as the lock watch would: for pure kill-switch tests. */
final class LockScene {

  private static final LockAnalysis ANALYSIS =
      new LockAnalysis(LockAnalysis.DEFAULT_WRITE_THRESHOLD, false);

  static final OffsetDateTime NOW = OffsetDateTime.parse("2026-06-01T12:00:00Z");

  private final List<Session> sessions = new ArrayList<>();

  /** Idle in transaction for {@code idleSeconds}, holding whatever it took. */
  LockScene idle(int pid, int idleSeconds) {
    sessions.add(new Session(pid, "app", "web", "app", "client backend", "idle in transaction",
        NOW.minusHours(1).plusNanos(pid * 1_000L), NOW.minusSeconds(idleSeconds + 1L),
        NOW.minusSeconds(idleSeconds + 1L), NOW.minusSeconds(idleSeconds), "Client", "ClientRead",
        "UPDATE t SET v = 1 WHERE id = 7", List.of(), null, null));
    return this;
  }

  /** Waiting for a relation lock on {@code public.t}. */
  LockScene waitsForTable(int pid, String mode, int waitedSeconds, Integer... blockedBy) {
    return waits(pid, new LockRequest("relation", "public.t", mode, NOW.minusSeconds(waitedSeconds)), blockedBy);
  }

  /** Waiting for a relation lock on {@code relation}, e.g. {@code public.hot}. */
  LockScene waitsFor(int pid, String relation, String mode, int waitedSeconds, Integer... blockedBy) {
    return waits(pid, new LockRequest("relation", relation, mode, NOW.minusSeconds(waitedSeconds)), blockedBy);
  }

  /** Waiting for a row: {@code transactionid} (the holder's transaction) or {@code tuple} (next in line). */
  LockScene waitsForRow(int pid, String locktype, int waitedSeconds, Integer... blockedBy) {
    String mode = "transactionid".equals(locktype) ? "ShareLock" : "ExclusiveLock";
    return waits(pid, new LockRequest(locktype, null, mode, NOW.minusSeconds(waitedSeconds)), blockedBy);
  }

  private LockScene waits(int pid, LockRequest request, Integer... blockedBy) {
    sessions.add(new Session(pid, "app", "web", "app", "client backend", "active",
        NOW.minusHours(1).plusNanos(pid * 1_000L), request.waitStart(), request.waitStart(), request.waitStart(),
        "Lock", request.locktype(), "statement of " + pid, List.of(blockedBy), request, null));
    return this;
  }

  LockReport report() {
    return ANALYSIS.analyze(new LockSnapshot(NOW, "app", sessions));
  }
}
