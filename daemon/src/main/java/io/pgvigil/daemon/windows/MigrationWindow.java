package io.pgvigil.daemon.windows;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A period during which a target is being migrated: opened by a CI pipeline through the API, or automatically when a
 * migration tool is seen running. Inside a window the watch polls faster and, with the {@code in-window} profile,
 * the in-window abort rules apply.
 *
 * @param source       {@code api} or {@code auto}
 * @param backendPid   the migration's backend, when known (automatic windows record it)
 * @param backendStart that backend's {@code backend_start}: with the pid, what guards a cancel
 * @param tool         the migration tool seen (auto), or null
 * @param closedAt     null while open
 * @param closeReason  why it closed: {@code closed} (API), {@code expired} (TTL), {@code migration ended}
 */
public record MigrationWindow(String id, String target, String label, String profile, String source,
    Instant openedAt, Instant expiresAt, Integer backendPid, OffsetDateTime backendStart, String tool,
    Instant closedAt, String closeReason) {

  public boolean open() {
    return closedAt == null;
  }

  MigrationWindow closed(Instant at, String reason) {
    return new MigrationWindow(id, target, label, profile, source, openedAt, expiresAt, backendPid,
        backendStart, tool, at, reason);
  }

  MigrationWindow recording(Integer pid, OffsetDateTime start) {
    return new MigrationWindow(id, target, label, profile, source, openedAt, expiresAt, pid, start,
        tool, closedAt, closeReason);
  }
}
