package io.pgvigil.daemon.killswitch;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * One decision of the kill switch, kept for the API and logged as one line.
 *
 * @param action  {@code cancel}, {@code terminate} or {@code hook}
 * @param pid     the backend acted on; null when there is none
 * @param result  {@code dry-run}, or the signal's outcome ({@code cancelled}, {@code refused-guard}, …)
 * @param request in a window that names no backend, the stalled DDL request acted on; otherwise null
 */
public record AbortDecision(Instant at, String target, String rule, double value, double threshold, String windowId,
    String action, Integer pid, OffsetDateTime backendStart, String result, String message, StalledRequest request) {}
