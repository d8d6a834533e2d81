package io.pgvigil.daemon.alerting;

import io.pgvigil.alerts.Alert;

/**
 * What the daemon's conditions tell the alert lifecycle: this fires (again) now, that has
 * cleared. Repeats, grouping and delivery are the engine's business, not the caller's.
 */
interface Alarms {

  /** Fires, or keeps firing, the alert with this key; called on every evaluation that sees it. */
  void fire(Alert alert);

  /** The alert with this key has cleared; unknown keys are ignored. */
  void resolve(String key);
}
