package io.pgvigil.daemon.http;

import static java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME;

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
import io.pgvigil.checks.replication.ReplicationFinding.InactiveSlotGrowing;
import io.pgvigil.checks.replication.ReplicationFinding.ReceiverNotStreaming;
import io.pgvigil.checks.replication.ReplicationFinding.ReplayPaused;
import io.pgvigil.checks.replication.ReplicationFinding.ReplicaNotInRecovery;
import io.pgvigil.checks.replication.ReplicationFinding.SlotWalAtRisk;
import io.pgvigil.checks.replication.ReplicationFinding.StandbyGone;
import io.pgvigil.checks.replication.ReplicationReport;
import io.pgvigil.checks.replication.ReplicationSlot;
import io.pgvigil.checks.server.ServerInfo;
import io.pgvigil.daemon.killswitch.AbortDecision;
import io.pgvigil.daemon.replication.ReplicaConnections.Failure;
import io.pgvigil.daemon.watch.CheckStatus;
import io.pgvigil.daemon.watch.TargetStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The API's status, lock, replication, abort and alert documents, written field by field from the
 * internal records so that changing a record never changes the JSON (README, "HTTP API"; pinned by
 * ApiJsonTest). Timestamps are ISO-8601; a server time keeps the server's offset.
 */
final class ApiJson {

  private ApiJson() {}

  /** @param owner the instance that owns the target, if any */
  static JsonObject status(TargetStatus t, Optional<String> owner) {
    ServerInfo s = t.server();
    return new JsonObject().put("name", t.name()).put("url", t.url()).put("up", t.up())
        .put("polled", t.polled()).put("since", time(t.since()))
        .put("owner", owner.orElse(null)).put("ownedHere", t.owned())
        .put("server", s == null ? null : new JsonObject().put("version", s.version()).put("major", s.major())
            .put("standby", s.inRecovery())
            .put("startedAt", s.startedAt() == null ? null : s.startedAt().toInstant().toString())
            .put("role", s.role()).put("pgMonitor", s.pgMonitor()))
        .put("checks", array(t.checks(), ApiJson::check));
  }

  private static JsonObject check(CheckStatus c) {
    return new JsonObject().put("name", c.check()).put("ok", !c.failing() && c.runs() > 0)
        .put("runs", c.runs()).put("consecutiveFailures", c.consecutiveFailures())
        .put("lastRun", time(c.lastRun()))
        .put("lastDurationMs", c.lastDuration() == null ? null : c.lastDuration().toNanos() / 1e6)
        .put("lastSuccess", time(c.lastSuccess())).put("lastError", c.lastError());
  }

  static JsonObject locks(LockReport r) {
    LockSummary s = r.summary();
    return new JsonObject().put("serverTime", time(r.serverTime())).put("database", r.database())
        .put("summary", new JsonObject().put("waitingSessions", s.waitingSessions())
            .put("rootBlockers", s.rootBlockers()).put("maxLockWaitSeconds", s.maxLockWaitSeconds())
            .put("maxQueueDepth", s.maxQueueDepth()).put("maxQueueCostSeconds", s.maxQueueCostSeconds())
            .put("idleInTransactionMaxSeconds", s.idleInTransactionMaxSeconds())
            .put("ddlMaxSeconds", s.ddlMaxSeconds()).put("longRunningWrites", s.longRunningWrites())
            .put("writeMaxSeconds", s.writeMaxSeconds()))
        .put("trees", array(r.trees(), ApiJson::tree))
        .put("queues", array(r.queues(), ApiJson::queue))
        .put("ddl", array(r.ddl(), ApiJson::ddl))
        .put("writes", array(r.writes(), ApiJson::write))
        .put("idleInTransaction", array(r.idleInTransaction(), ApiJson::idle));
  }

  private static JsonObject tree(BlockingTree t) {
    RootBlocker b = t.root();
    JsonObject root = session(b.pid(), b.user(), b.applicationName()).put("state", b.state())
        .put("backendType", b.backendType()).put("transactionSeconds", b.transactionSeconds())
        .put("stateSeconds", b.stateSeconds()).put("query", b.query()).put("waiting", b.waiting())
        .put("backendStart", time(b.backendStart()));
    return new JsonObject().put("root", root).put("blocked", array(t.blocked(), ApiJson::blocked))
        .put("maxDepth", t.maxDepth());
  }

  private static JsonObject blocked(BlockedSession b) {
    return session(b.pid(), b.user(), b.applicationName()).put("state", b.state())
        .put("waitingSeconds", b.waitingSeconds()).put("locktype", b.locktype()).put("mode", b.mode())
        .put("relation", b.relation()).put("query", b.query()).put("blockedBy", new JsonArray(b.blockedBy()))
        .put("depth", b.depth());
  }

  private static JsonObject queue(LockQueue q) {
    return session(q.pid(), q.user(), q.applicationName()).put("locktype", q.locktype()).put("mode", q.mode())
        .put("relation", q.relation()).put("waitingSeconds", q.waitingSeconds()).put("query", q.query())
        .put("blockedBy", new JsonArray(q.blockedBy())).put("depth", q.depth())
        .put("costSeconds", q.costSeconds()).put("queued", array(q.queued(), ApiJson::queued))
        .put("backendStart", time(q.backendStart()));
  }

  private static JsonObject queued(QueuedSession q) {
    return session(q.pid(), q.user(), q.applicationName()).put("waitingSeconds", q.waitingSeconds())
        .put("mode", q.mode()).put("relation", q.relation()).put("query", q.query());
  }

  private static JsonObject ddl(RunningDdl d) {
    return statement(d.pid(), d.user(), d.applicationName(), d.command(), d.runtimeSeconds(),
        d.transactionSeconds(), d.waitEventType(), d.waitEvent(), d.query())
        .put("progress", d.progress() == null ? null : progress(d.progress()));
  }

  private static JsonObject progress(Progress p) {
    return new JsonObject().put("command", p.command()).put("phase", p.phase())
        .put("blocksDone", p.blocksDone()).put("blocksTotal", p.blocksTotal())
        .put("tuplesDone", p.tuplesDone()).put("tuplesTotal", p.tuplesTotal())
        .put("relation", p.relation()).put("index", p.index()).put("percent", p.percent());
  }

  private static JsonObject write(RunningWrite w) {
    return statement(w.pid(), w.user(), w.applicationName(), w.command(), w.runtimeSeconds(),
        w.transactionSeconds(), w.waitEventType(), w.waitEvent(), w.query());
  }

  private static JsonObject idle(IdleTransaction i) {
    return session(i.pid(), i.user(), i.applicationName()).put("idleSeconds", i.idleSeconds())
        .put("transactionSeconds", i.transactionSeconds()).put("blocking", i.blocking())
        .put("query", i.query());
  }

  private static JsonObject session(int pid, String user, String applicationName) {
    return new JsonObject().put("pid", pid).put("user", user).put("applicationName", applicationName);
  }

  private static JsonObject statement(int pid, String user, String applicationName, String command,
      double runtimeSeconds, double transactionSeconds, String waitEventType, String waitEvent, String query) {
    return session(pid, user, applicationName).put("command", command).put("runtimeSeconds", runtimeSeconds)
        .put("transactionSeconds", transactionSeconds).put("waitEventType", waitEventType)
        .put("waitEvent", waitEvent).put("query", query);
  }

  static JsonArray invalidIndexes(List<InvalidIndex> indexes) {
    return array(indexes, i -> new JsonObject().put("schema", i.schema()).put("table", i.table())
        .put("index", i.index()));
  }

  /** The report, each configured replica with why it cannot be polled on its own URL (null while it answers). */
  static JsonObject replication(ReplicationReport r, Function<String, Optional<Failure>> failures) {
    return new JsonObject().put("at", time(r.at())).put("standby", r.standby())
        .put("replicas", array(r.replicas(), lag -> replica(lag,
            lag.configured() ? failures.apply(lag.name()) : Optional.empty())))
        .put("slots", array(r.slots(), ApiJson::slot))
        .put("findings", array(r.findings(), ApiJson::finding))
        .put("notes", new JsonArray(r.notes()));
  }

  private static JsonObject replica(ReplicaLag l, Optional<Failure> failure) {
    return new JsonObject().put("name", l.name()).put("gone", l.gone()).put("state", l.state())
        .put("syncState", l.syncState()).put("clientAddr", l.clientAddr())
        .put("writeLagSeconds", l.writeLagSeconds()).put("flushLagSeconds", l.flushLagSeconds())
        .put("replayLagSeconds", l.replayLagSeconds()).put("sentLagBytes", l.sentLagBytes())
        .put("flushLagBytes", l.flushLagBytes()).put("replayLagBytes", l.replayLagBytes())
        .put("replayDelaySeconds", l.replayDelaySeconds()).put("replayGapBytes", l.replayGapBytes())
        .put("paused", l.paused()).put("inRecovery", l.inRecovery()).put("receiverStatus", l.receiverStatus())
        .put("logical", l.logical()).put("configured", l.configured())
        .put("lastError", failure.map(Failure::reason).orElse(null))
        .put("failingSince", failure.map(f -> time(f.since())).orElse(null));
  }

  private static JsonObject slot(ReplicationSlot s) {
    return new JsonObject().put("name", s.name()).put("type", s.type()).put("database", s.database())
        .put("active", s.active()).put("activePid", s.activePid()).put("retainedBytes", s.retainedBytes())
        .put("walStatus", s.walStatus()).put("safeWalSize", s.safeWalSize())
        .put("inactiveSince", time(s.inactiveSince())).put("invalidationReason", s.invalidationReason());
  }

  private static JsonObject finding(ReplicationFinding finding) {
    // Java 17 has no pattern switch: a new finding type must be added here, or the cast below fails.
    if (finding instanceof StandbyGone f) {
      return type("standby-gone").put("name", f.name()).put("lastSeen", time(f.lastSeen()));
    }
    if (finding instanceof InactiveSlotGrowing f) {
      return type("inactive-slot-growing").put("slot", f.slot()).put("retainedBytes", f.retainedBytes())
          .put("grewBytes", f.grewBytes()).put("since", time(f.since()));
    }
    if (finding instanceof SlotWalAtRisk f) {
      return type("slot-wal-at-risk").put("slot", f.slot()).put("walStatus", f.walStatus())
          .put("safeWalSize", f.safeWalSize()).put("invalidationReason", f.invalidationReason());
    }
    if (finding instanceof ReplicaNotInRecovery f) {
      return type("replica-not-in-recovery").put("name", f.name());
    }
    if (finding instanceof ReceiverNotStreaming f) {
      return type("receiver-not-streaming").put("name", f.name()).put("receiverStatus", f.receiverStatus());
    }
    ReplayPaused f = (ReplayPaused) finding;
    return type("replay-paused").put("name", f.name()).put("pauseState", f.pauseState());
  }

  private static JsonObject type(String type) {
    return new JsonObject().put("type", type);
  }

  static JsonArray aborts(List<AbortDecision> decisions) {
    return array(decisions, AbortDecision::json);
  }

  static <T> JsonArray array(List<T> items, Function<T, JsonObject> json) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(json.apply(item)));
    return array;
  }

  private static String time(OffsetDateTime t) {
    return t == null ? null : ISO_OFFSET_DATE_TIME.format(t);
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }
}
