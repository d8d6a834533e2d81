package io.pgvigil.checks.migration;

public record SignalResult(SignalOutcome outcome, int pid, String message) {}
