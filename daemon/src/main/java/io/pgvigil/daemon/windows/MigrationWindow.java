package io.pgvigil.daemon.windows;

import io.vertx.core.json.JsonObject;
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

  /** The API's shape of a window, also how instances share it. */
  public JsonObject json() {
    return new JsonObject().put("id", id).put("target", target).put("label", label).put("profile", profile)
        .put("source", source).put("open", open()).put("openedAt", openedAt.toString())
        .put("expiresAt", expiresAt.toString()).put("backendPid", backendPid)
        .put("backendStart", backendStart == null ? null : backendStart.toString()).put("tool", tool)
        .put("closedAt", closedAt == null ? null : closedAt.toString()).put("closeReason", closeReason);
  }

  static MigrationWindow of(JsonObject j) {
    String backendStart = j.getString("backendStart");
    String closedAt = j.getString("closedAt");
    return new MigrationWindow(j.getString("id"), j.getString("target"), j.getString("label"),
        j.getString("profile"), j.getString("source"), Instant.parse(j.getString("openedAt")),
        Instant.parse(j.getString("expiresAt")), j.getInteger("backendPid"),
        backendStart == null ? null : OffsetDateTime.parse(backendStart), j.getString("tool"),
        closedAt == null ? null : Instant.parse(closedAt), j.getString("closeReason"));
  }
}
