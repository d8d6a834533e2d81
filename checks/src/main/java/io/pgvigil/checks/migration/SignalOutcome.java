package io.pgvigil.checks.migration;

public enum SignalOutcome {
  /** {@code pg_cancel_backend} returned true: the running statement is being cancelled. */
  CANCELLED,
  /** {@code pg_terminate_backend} returned true: the session is being closed. */
  TERMINATED,
  /**
   * The guard in the signalling statement matched no backend: the pid is gone, was reused (its
   * {@code backend_start} differs), or the session is not in the state, role or kind asked for.
   */
  REFUSED_GUARD,
  /** Refused before asking the server, by configuration (e.g. an empty role allowlist). */
  REFUSED_POLICY,
  /** The server refused: pgvigil's role lacks {@code pg_signal_backend} (SQLSTATE 42501). */
  DENIED,
  /** The guard matched but the server could not send the signal: most likely the backend exited in between. */
  NOT_DELIVERED;
}
