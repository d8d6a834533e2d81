package io.pgvigil.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.checks.locks.BlockedSession;
import io.pgvigil.checks.locks.BlockingTree;
import io.pgvigil.checks.locks.IdleTransaction;
import io.pgvigil.checks.locks.InvalidIndex;
import io.pgvigil.checks.locks.LockQueue;
import io.pgvigil.checks.locks.LockReport;
import io.pgvigil.checks.locks.LockSummary;
import io.pgvigil.checks.locks.Progress;
import io.pgvigil.checks.locks.QueuedSession;
import io.pgvigil.checks.locks.RootBlocker;
import io.pgvigil.checks.locks.RunningDdl;
import io.pgvigil.checks.locks.RunningWrite;
import io.pgvigil.checks.replication.ReplicaLag;
import io.pgvigil.checks.replication.ReplicationFinding;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.checks.replication.ReplicationSlot;
import io.pgvigil.daemon.killswitch.AbortDecision;
import io.pgvigil.daemon.killswitch.StalledRequest;
import io.pgvigil.daemon.replication.ReplicaConnections;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The API's JSON, pinned to the byte: field names, order, nesting, nulls, number and time formats.
 * Internal records may change; these documents may not without a README change.
 */
class ApiJsonTest {

  // Whole seconds and a trailing-zero fraction, in UTC and another offset: formats differ on these.
  private static final OffsetDateTime WHOLE = OffsetDateTime.parse("2026-03-01T12:00:00Z");
  private static final OffsetDateTime FRACTION = OffsetDateTime.parse("2026-03-01T12:00:05.123400+02:00");
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
  private static final Instant AT_FRACTION = Instant.parse("2026-03-01T12:00:01.500Z");

  @Test
  void lockReport() {
    LockReport report = new LockReport(FRACTION, "app",
        new LockSummary(4, 1, 12.5, 3, 30.0, 0.0, 1.0E-4, 1, 12345678.9),
        List.of(new BlockingTree(
            new RootBlocker(42, "app", "psql", "idle in transaction", "client backend", 61.25, 60.0,
                "UPDATE accounts SET balance = balance + ? WHERE id = ?", false, WHOLE),
            List.of(new BlockedSession(43, "migrator", "flyway", "active", 2.5, "relation",
                "AccessExclusiveLock", "public.accounts", "ALTER TABLE accounts ADD note text", List.of(42), 1),
                new BlockedSession(44, null, "", "active", 0.0, null, null, null, "SELECT \"x\" …", List.of(43, 42),
                    2)),
            2)),
        List.of(new LockQueue(43, "migrator", "flyway", "relation", "AccessExclusiveLock", "public.accounts", 2.5,
            "ALTER TABLE accounts ADD note text", List.of(42), 1, 0.75,
            List.of(new QueuedSession(44, "app", "web", 0.75, "AccessShareLock", null, "SELECT 1")), null)),
        List.of(new RunningDdl(45, "migrator", "flyway", "CREATE INDEX CONCURRENTLY", 100.0, 101.5, null, null,
            "CREATE INDEX CONCURRENTLY i ON t (c)",
            Progress.of("CREATE INDEX CONCURRENTLY", "building index: scanning table", 5_000_000_000L,
                10_000_000_000L, null, 0L, "public.t", null)),
            new RunningDdl(46, "migrator", "flyway", "ALTER TABLE", 1.0, 1.0, "Lock", "relation", "ALTER TABLE t",
                null)),
        List.of(new RunningWrite(47, "app", "backfill", "UPDATE", 300.0, 300.0, "IO", "DataFileRead",
            "UPDATE t SET c = ?")),
        List.of(new IdleTransaction(42, "app", "psql", 60.0, 61.25, true, "UPDATE accounts SET balance = ?")));

    assertThat(ApiJson.locks(report).encodePrettily()).isEqualTo(LOCKS);
    assertThat(ApiJson.invalidIndexes(List.of(new InvalidIndex("public", "t", "t_c_idx"))).encode())
        .isEqualTo("[{\"schema\":\"public\",\"table\":\"t\",\"index\":\"t_c_idx\"}]");
    assertThat(ApiJson.invalidIndexes(List.of()).encode()).isEqualTo("[]");
  }

  @Test
  void replicationReport() {
    ReplicationReport report = new ReplicationReport(AT_FRACTION, false,
        List.of(new ReplicaLag("replica1", false, "streaming", "async", "10.0.0.2", 0.001, 0.002, 0.5,
            0L, 8192L, 5_000_000_000L, 0.0, 0L, false, true, "streaming", false, true),
            new ReplicaLag("ghost", true, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, false, true),
            new ReplicaLag("pg_basebackup", false, "streaming", "async", null, null, null, null, 1L, 2L, 3L,
                null, null, null, null, null, false, false)),
        List.of(new ReplicationSlot("parked", "physical", null, false, null, 16777216L, "reserved", null, WHOLE,
            null),
            new ReplicationSlot("cdc", "logical", "app", true, 4242, null, "lost", -1L, null, "wal_removed")),
        List.of(new ReplicationFinding.StandbyGone("ghost", null),
            new ReplicationFinding.StandbyGone("replica2", AT),
            new ReplicationFinding.InactiveSlotGrowing("parked", 5_000_000_000L, 1024L, AT_FRACTION),
            new ReplicationFinding.SlotWalAtRisk("cdc", "unreserved", 0L, null),
            new ReplicationFinding.ReplicaNotInRecovery("replica1"),
            new ReplicationFinding.ReceiverNotStreaming("replica1", null),
            new ReplicationFinding.ReplayPaused("replica1", "paused")),
        List.of("pg_stat_wal_receiver: permission denied"));
    ReplicaConnections.Failure failure = new ReplicaConnections.Failure("connection refused", AT_FRACTION);

    assertThat(ApiJson.replication(report, name -> name.equals("ghost") ? Optional.of(failure) : Optional.empty())
        .encodePrettily()).isEqualTo(REPLICATION);
  }

  @Test
  void abortDecisions() {
    List<AbortDecision> decisions = List.of(
        new AbortDecision(AT_FRACTION, "app", "lockQueue", 3.0, 2.0, "w-1", "cancel", 43, FRACTION, "dry-run",
            "would cancel", new StalledRequest(43, "public.accounts", "AccessExclusiveLock", 3)),
        new AbortDecision(AT, "app", "deadman", 0.0, 1.0E-4, null, "hook", null, null, "ok", "hook ran", null));

    assertThat(ApiJson.aborts(decisions).encodePrettily()).isEqualTo(ABORTS);
    assertThat(ApiJson.aborts(List.of()).encode()).isEqualTo("[]");
  }

  // Captured from the reflection-based rendering this class replaced.
  private static final String LOCKS = """
      {
        "serverTime" : "2026-03-01T12:00:05.1234+02:00",
        "database" : "app",
        "summary" : {
          "waitingSessions" : 4,
          "rootBlockers" : 1,
          "maxLockWaitSeconds" : 12.5,
          "maxQueueDepth" : 3,
          "maxQueueCostSeconds" : 30.0,
          "idleInTransactionMaxSeconds" : 0.0,
          "ddlMaxSeconds" : 1.0E-4,
          "longRunningWrites" : 1,
          "writeMaxSeconds" : 1.23456789E7
        },
        "trees" : [ {
          "root" : {
            "pid" : 42,
            "user" : "app",
            "applicationName" : "psql",
            "state" : "idle in transaction",
            "backendType" : "client backend",
            "transactionSeconds" : 61.25,
            "stateSeconds" : 60.0,
            "query" : "UPDATE accounts SET balance = balance + ? WHERE id = ?",
            "waiting" : false,
            "backendStart" : "2026-03-01T12:00:00Z"
          },
          "blocked" : [ {
            "pid" : 43,
            "user" : "migrator",
            "applicationName" : "flyway",
            "state" : "active",
            "waitingSeconds" : 2.5,
            "locktype" : "relation",
            "mode" : "AccessExclusiveLock",
            "relation" : "public.accounts",
            "query" : "ALTER TABLE accounts ADD note text",
            "blockedBy" : [ 42 ],
            "depth" : 1
          }, {
            "pid" : 44,
            "user" : null,
            "applicationName" : "",
            "state" : "active",
            "waitingSeconds" : 0.0,
            "locktype" : null,
            "mode" : null,
            "relation" : null,
            "query" : "SELECT \\"x\\" …",
            "blockedBy" : [ 43, 42 ],
            "depth" : 2
          } ],
          "maxDepth" : 2
        } ],
        "queues" : [ {
          "pid" : 43,
          "user" : "migrator",
          "applicationName" : "flyway",
          "locktype" : "relation",
          "mode" : "AccessExclusiveLock",
          "relation" : "public.accounts",
          "waitingSeconds" : 2.5,
          "query" : "ALTER TABLE accounts ADD note text",
          "blockedBy" : [ 42 ],
          "depth" : 1,
          "costSeconds" : 0.75,
          "queued" : [ {
            "pid" : 44,
            "user" : "app",
            "applicationName" : "web",
            "waitingSeconds" : 0.75,
            "mode" : "AccessShareLock",
            "relation" : null,
            "query" : "SELECT 1"
          } ],
          "backendStart" : null
        } ],
        "ddl" : [ {
          "pid" : 45,
          "user" : "migrator",
          "applicationName" : "flyway",
          "command" : "CREATE INDEX CONCURRENTLY",
          "runtimeSeconds" : 100.0,
          "transactionSeconds" : 101.5,
          "waitEventType" : null,
          "waitEvent" : null,
          "query" : "CREATE INDEX CONCURRENTLY i ON t (c)",
          "progress" : {
            "command" : "CREATE INDEX CONCURRENTLY",
            "phase" : "building index: scanning table",
            "blocksDone" : 5000000000,
            "blocksTotal" : 10000000000,
            "tuplesDone" : null,
            "tuplesTotal" : 0,
            "relation" : "public.t",
            "index" : null,
            "percent" : 50.0
          }
        }, {
          "pid" : 46,
          "user" : "migrator",
          "applicationName" : "flyway",
          "command" : "ALTER TABLE",
          "runtimeSeconds" : 1.0,
          "transactionSeconds" : 1.0,
          "waitEventType" : "Lock",
          "waitEvent" : "relation",
          "query" : "ALTER TABLE t",
          "progress" : null
        } ],
        "writes" : [ {
          "pid" : 47,
          "user" : "app",
          "applicationName" : "backfill",
          "command" : "UPDATE",
          "runtimeSeconds" : 300.0,
          "transactionSeconds" : 300.0,
          "waitEventType" : "IO",
          "waitEvent" : "DataFileRead",
          "query" : "UPDATE t SET c = ?"
        } ],
        "idleInTransaction" : [ {
          "pid" : 42,
          "user" : "app",
          "applicationName" : "psql",
          "idleSeconds" : 60.0,
          "transactionSeconds" : 61.25,
          "blocking" : true,
          "query" : "UPDATE accounts SET balance = ?"
        } ]
      }""";

  private static final String REPLICATION = """
      {
        "at" : "2026-03-01T12:00:01.500Z",
        "standby" : false,
        "replicas" : [ {
          "name" : "replica1",
          "gone" : false,
          "state" : "streaming",
          "syncState" : "async",
          "clientAddr" : "10.0.0.2",
          "writeLagSeconds" : 0.001,
          "flushLagSeconds" : 0.002,
          "replayLagSeconds" : 0.5,
          "sentLagBytes" : 0,
          "flushLagBytes" : 8192,
          "replayLagBytes" : 5000000000,
          "replayDelaySeconds" : 0.0,
          "replayGapBytes" : 0,
          "paused" : false,
          "inRecovery" : true,
          "receiverStatus" : "streaming",
          "logical" : false,
          "configured" : true,
          "lastError" : null,
          "failingSince" : null
        }, {
          "name" : "ghost",
          "gone" : true,
          "state" : null,
          "syncState" : null,
          "clientAddr" : null,
          "writeLagSeconds" : null,
          "flushLagSeconds" : null,
          "replayLagSeconds" : null,
          "sentLagBytes" : null,
          "flushLagBytes" : null,
          "replayLagBytes" : null,
          "replayDelaySeconds" : null,
          "replayGapBytes" : null,
          "paused" : null,
          "inRecovery" : null,
          "receiverStatus" : null,
          "logical" : false,
          "configured" : true,
          "lastError" : "connection refused",
          "failingSince" : "2026-03-01T12:00:01.500Z"
        }, {
          "name" : "pg_basebackup",
          "gone" : false,
          "state" : "streaming",
          "syncState" : "async",
          "clientAddr" : null,
          "writeLagSeconds" : null,
          "flushLagSeconds" : null,
          "replayLagSeconds" : null,
          "sentLagBytes" : 1,
          "flushLagBytes" : 2,
          "replayLagBytes" : 3,
          "replayDelaySeconds" : null,
          "replayGapBytes" : null,
          "paused" : null,
          "inRecovery" : null,
          "receiverStatus" : null,
          "logical" : false,
          "configured" : false,
          "lastError" : null,
          "failingSince" : null
        } ],
        "slots" : [ {
          "name" : "parked",
          "type" : "physical",
          "database" : null,
          "active" : false,
          "activePid" : null,
          "retainedBytes" : 16777216,
          "walStatus" : "reserved",
          "safeWalSize" : null,
          "inactiveSince" : "2026-03-01T12:00:00Z",
          "invalidationReason" : null
        }, {
          "name" : "cdc",
          "type" : "logical",
          "database" : "app",
          "active" : true,
          "activePid" : 4242,
          "retainedBytes" : null,
          "walStatus" : "lost",
          "safeWalSize" : -1,
          "inactiveSince" : null,
          "invalidationReason" : "wal_removed"
        } ],
        "findings" : [ {
          "type" : "standby-gone",
          "name" : "ghost",
          "lastSeen" : null
        }, {
          "type" : "standby-gone",
          "name" : "replica2",
          "lastSeen" : "2026-03-01T12:00:00Z"
        }, {
          "type" : "inactive-slot-growing",
          "slot" : "parked",
          "retainedBytes" : 5000000000,
          "grewBytes" : 1024,
          "since" : "2026-03-01T12:00:01.500Z"
        }, {
          "type" : "slot-wal-at-risk",
          "slot" : "cdc",
          "walStatus" : "unreserved",
          "safeWalSize" : 0,
          "invalidationReason" : null
        }, {
          "type" : "replica-not-in-recovery",
          "name" : "replica1"
        }, {
          "type" : "receiver-not-streaming",
          "name" : "replica1",
          "receiverStatus" : null
        }, {
          "type" : "replay-paused",
          "name" : "replica1",
          "pauseState" : "paused"
        } ],
        "notes" : [ "pg_stat_wal_receiver: permission denied" ]
      }""";

  private static final String ABORTS = """
      [ {
        "at" : "2026-03-01T12:00:01.500Z",
        "target" : "app",
        "rule" : "lockQueue",
        "value" : 3.0,
        "threshold" : 2.0,
        "windowId" : "w-1",
        "action" : "cancel",
        "pid" : 43,
        "backendStart" : "2026-03-01T12:00:05.1234+02:00",
        "result" : "dry-run",
        "message" : "would cancel",
        "request" : {
          "pid" : 43,
          "relation" : "public.accounts",
          "mode" : "AccessExclusiveLock",
          "queued" : 3
        }
      }, {
        "at" : "2026-03-01T12:00:00Z",
        "target" : "app",
        "rule" : "deadman",
        "value" : 0.0,
        "threshold" : 1.0E-4,
        "windowId" : null,
        "action" : "hook",
        "pid" : null,
        "backendStart" : null,
        "result" : "ok",
        "message" : "hook ran",
        "request" : null
      } ]""";
}
