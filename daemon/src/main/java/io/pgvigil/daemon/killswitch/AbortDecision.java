package io.pgvigil.daemon.killswitch;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * One decision of the kill switch, kept for the API and logged as one line:
 * which rule fired with what value against which threshold, what was done to
 * which backend, and how it went.
 *
 * @param action {@code cancel}
 * @param result {@code dry-run}, or the signal's outcome ({@code cancelled}, {@code refused-guard}, …)
 */
public record AbortDecision(
    Instant at,
    String target,
    String rule,
    double value,
    double threshold,
    String windowId,
    String action,
    Integer pid,
    OffsetDateTime backendStart,
    String result,
    String message) {}
