package io.pgvigil.daemon.watch;

import io.pgvigil.checks.server.ServerInfo;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one target for the API: up or down since when, and every check's last outcome.
 *
 * @param polled true once the first heartbeat finished, whatever its outcome (readiness)
 * @param server the last successful heartbeat's answer, null before the first one
 */
public record TargetStatus(String name, String url, boolean up, boolean polled, Instant since,
    ServerInfo server, List<CheckStatus> checks, boolean owned) {}
