package io.pgvigil.helm;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The series the daemon exports (README, "Metrics"), the only ones dashboards and rules may query. */
final class ExportedMetrics {

  /** Exported today, by series name (the summary's _count, _sum and _max included). */
  static final Set<String> EXPORTED = Set.of(
      "pgvigil_up",
      "pgvigil_poll_duration_seconds_count",
      "pgvigil_poll_duration_seconds_sum",
      "pgvigil_poll_duration_seconds_max",
      "pgvigil_check_errors_total",
      "pgvigil_migrations_pending",
      "pgvigil_migration_history_problems",
      "pgvigil_migration_files_behind",
      "pgvigil_schema_drift_objects",
      "pgvigil_schema_drift_last_check_timestamp_seconds",
      "pgvigil_invalid_indexes",
      "pgvigil_lock_waiting_sessions",
      "pgvigil_lock_wait_max_seconds",
      "pgvigil_lock_queue_depth_max",
      "pgvigil_lock_queue_cost_max_seconds",
      "pgvigil_idle_in_transaction_max_seconds",
      "pgvigil_ddl_max_duration_seconds",
      "pgvigil_long_running_writes",
      "pgvigil_replication_lag_seconds",
      "pgvigil_replication_lag_bytes",
      "pgvigil_replication_standby_up",
      "pgvigil_replication_slot_retained_bytes",
      "pgvigil_migration_window_active",
      "pgvigil_migration_windows_opened_total",
      "pgvigil_migration_windows_closed_total",
      "pgvigil_abort_actions_total",
      "pgvigil_alerts_firing",
      "pgvigil_alert_notifications_total",
      "pgvigil_alert_spool_depth",
      "pgvigil_cluster_rejected_records_total",
      "pgvigil_target_owner");

  private static final Pattern METRIC = Pattern.compile("\\bpgvigil_[a-z0-9_]+");

  /** Every pgvigil series name a PromQL expression mentions. */
  static Set<String> queriedBy(String promql) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(promql);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  private ExportedMetrics() {}
}
