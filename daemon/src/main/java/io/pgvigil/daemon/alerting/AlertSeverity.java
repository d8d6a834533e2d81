package io.pgvigil.daemon.alerting;

import static io.pgvigil.checks.schema.Severity.COSMETIC;

import io.pgvigil.alerts.Severity;
import io.pgvigil.checks.schema.SchemaFinding;
import io.pgvigil.daemon.rules.RuleVerdict;

/** The one place where what pgvigil judged becomes how loud an alert is. */
final class AlertSeverity {

  /** The kill switch acting, a target nobody can watch: somebody must look now. */
  static final Severity ACTION = Severity.CRITICAL;
  /** Drift is wrong but not urgent: nothing stalls because of it. */
  static final Severity DRIFT = Severity.WARNING;

  private AlertSeverity() {}

  static Severity of(RuleVerdict.Level level) {
    return level == RuleVerdict.Level.ABORT ? Severity.CRITICAL : Severity.WARNING;
  }

  /** A cosmetic difference (a comment) is no drift alert: pgvigil does not cry wolf. */
  static boolean alerts(SchemaFinding finding) {
    return finding.severity() != COSMETIC;
  }
}
