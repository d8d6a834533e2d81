package io.pgvigil.daemon.killswitch;

import static java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME;

import io.vertx.core.json.JsonObject;
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
    String action, Integer pid, OffsetDateTime backendStart, String result, String message, StalledRequest request) {

  /** The API's shape of a decision, also how instances share it. */
  public JsonObject json() {
    return new JsonObject().put("at", at.toString()).put("target", target).put("rule", rule).put("value", value)
        .put("threshold", threshold).put("windowId", windowId).put("action", action).put("pid", pid)
        .put("backendStart", backendStart == null ? null : ISO_OFFSET_DATE_TIME.format(backendStart))
        .put("result", result)
        .put("message", message).put("request", request == null ? null : new JsonObject().put("pid", request.pid())
            .put("relation", request.relation()).put("mode", request.mode()).put("queued", request.queued()));
  }

  static AbortDecision of(JsonObject j) {
    JsonObject r = j.getJsonObject("request");
    String backendStart = j.getString("backendStart");
    return new AbortDecision(Instant.parse(j.getString("at")), j.getString("target"), j.getString("rule"),
        j.getDouble("value"), j.getDouble("threshold"), j.getString("windowId"), j.getString("action"),
        j.getInteger("pid"), backendStart == null ? null : OffsetDateTime.parse(backendStart), j.getString("result"),
        j.getString("message"), r == null ? null
            : new StalledRequest(r.getInteger("pid"), r.getString("relation"), r.getString("mode"),
                r.getInteger("queued")));
  }
}
