package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.Redactor;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;

/**
 * POSTs the event as JSON (one try: a kill-switch hook is about now, and a retry minutes later could abort the next
 * deploy). Body: {@code {"event":"kill-switch","target","rule","action",
 * "severity","value","threshold","windowId","pids":[…],"summary","at"}}.
 */
public final class WebhookHook implements Hook {

  private final WebClient client;
  private final SecretValue url;
  private final Duration timeout;
  private final Redactor redactor;

  public WebhookHook(WebClient client, SecretValue url, Duration timeout) {
    this.client = client;
    this.url = url;
    this.timeout = timeout;
    this.redactor = new Redactor(url);
  }

  @Override
  public Future<HookResult> run(HookEvent e) {
    HttpRequest<Buffer> request;
    try {
      request = client.postAbs(url.reveal()).timeout(timeout.toMillis()).putHeader("Content-Type", "application/json");
    } catch (RuntimeException badUrl) {
      return Future.succeededFuture(HookResult.failed("webhook hook: invalid URL"));
    }
    return request.sendBuffer(body(e).toBuffer()).expecting(HttpResponseExpectation.SC_SUCCESS)
        .map(r -> HookResult.ok("webhook hook: HTTP " + r.statusCode()))
        .recover(err -> Future.succeededFuture(HookResult.failed("webhook hook: "
            + redactor.redact(err.getClass().getSimpleName() + ": " + err.getMessage()))));
  }

  static JsonObject body(HookEvent e) {
    return new JsonObject().put("event", "kill-switch").put("target", e.target()).put("rule", e.rule())
        .put("action", e.action()).put("severity", e.severity() == null ? null : e.severity().wireName())
        .put("value", e.value()).put("threshold", e.threshold()).put("windowId", e.windowId())
        .put("pids", new JsonArray(e.pids().stream().map(Object.class::cast).toList())).put("summary", e.summary())
        .put("at", e.at() == null ? null : e.at().toString());
  }

  @Override
  public String toString() {
    return "WebhookHook";
  }
}
