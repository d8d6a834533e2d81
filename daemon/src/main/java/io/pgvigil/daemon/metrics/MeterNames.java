package io.pgvigil.daemon.metrics;

/**
 * Every pgvigil meter name and label in one place. Micrometer renders {@code pgvigil.poll.duration} (a timer, base unit
 * seconds) as {@code pgvigil_poll_duration_seconds} and counters with {@code _total}. Labels are bounded sets only:
 * never query text or PIDs.
 */
public final class MeterNames {

  public static final String UP = "pgvigil.up";
  public static final String TARGET_OWNER = "pgvigil.target.owner";
  public static final String POLL_DURATION = "pgvigil.poll.duration";
  public static final String CHECK_ERRORS = "pgvigil.check.errors";
  public static final String MIGRATIONS_PENDING = "pgvigil.migrations.pending";
  public static final String MIGRATION_HISTORY_PROBLEMS = "pgvigil.migration.history.problems";
  public static final String MIGRATION_FILES_BEHIND = "pgvigil.migration.files.behind";
  public static final String SCHEMA_DRIFT_OBJECTS = "pgvigil.schema.drift.objects";
  public static final String SCHEMA_DRIFT_LAST_CHECK = "pgvigil.schema.drift.last.check.timestamp.seconds";

  public static final String LOCK_WAITING_SESSIONS = "pgvigil.lock.waiting.sessions";
  public static final String LOCK_WAIT_MAX = "pgvigil.lock.wait.max";
  public static final String LOCK_QUEUE_DEPTH_MAX = "pgvigil.lock.queue.depth.max";
  public static final String LOCK_QUEUE_COST_MAX = "pgvigil.lock.queue.cost.max";
  public static final String IDLE_IN_TRANSACTION_MAX = "pgvigil.idle.in.transaction.max";
  public static final String DDL_MAX_DURATION = "pgvigil.ddl.max.duration";
  public static final String LONG_RUNNING_WRITES = "pgvigil.long.running.writes";
  public static final String INVALID_INDEXES = "pgvigil.invalid.indexes";

  public static final String REPLICATION_LAG = "pgvigil.replication.lag";
  public static final String REPLICATION_LAG_BYTES = "pgvigil.replication.lag.bytes";
  public static final String REPLICATION_SLOT_RETAINED = "pgvigil.replication.slot.retained";
  public static final String REPLICATION_STANDBY_UP = "pgvigil.replication.standby.up";

  public static final String MIGRATION_WINDOW_ACTIVE = "pgvigil.migration.window.active";
  /** Counters beside the gauge: a window shorter than a scrape interval never shows in the gauge, but counts here. */
  public static final String MIGRATION_WINDOWS_OPENED = "pgvigil.migration.windows.opened";
  public static final String MIGRATION_WINDOWS_CLOSED = "pgvigil.migration.windows.closed";
  public static final String ABORT_ACTIONS = "pgvigil.abort.actions";

  public static final String ALERT_NOTIFICATIONS = "pgvigil.alert.notifications";
  public static final String ALERTS_FIRING = "pgvigil.alerts.firing";
  public static final String ALERT_SPOOL_DEPTH = "pgvigil.alert.spool.depth";

  public static final String CLUSTER_REJECTED_RECORDS = "pgvigil.cluster.rejected.records";

  public static final String TAG_TARGET = "target";
  public static final String TAG_INSTANCE = "instance";
  public static final String TAG_CHECK = "check";
  public static final String TAG_PROBLEM = "problem";
  public static final String TAG_KIND = "kind";
  public static final String TAG_SEVERITY = "severity";
  public static final String TAG_REPLICA = "replica";
  public static final String TAG_SLOT = "slot";
  /** A WAL sender's kind, {@code physical} or {@code logical}, where {@code kind} already names something else. */
  public static final String TAG_SENDER = "sender";
  /** {@code true} for a configured replica, {@code false} for any other WAL sender. */
  public static final String TAG_CONFIGURED = "configured";
  public static final String TAG_RULE = "rule";
  public static final String TAG_SINK = "sink";
  public static final String TAG_RESULT = "result";
  /** A shared map's name: {@code windows}, {@code owners}, {@code alerts}, {@code aborts}, {@code silences}. */
  public static final String TAG_MAP = "map";

  private MeterNames() {}
}
