package io.pgvigil.checks.migration;

/** The outcome of one {@link BackendSignals} call, with a message for the log and the API. */
public record SignalResult(SignalOutcome outcome, int pid, String message) {}
