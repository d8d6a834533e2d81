package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.Signatures;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A generic JSON webhook, one notification per request, signed when a secret is set. The body and headers are
 * documented in {@code alerts/WEBHOOK.md}; receivers should dedup on {@code notificationId} because delivery is at
 * least once.
 */
public final class WebhookSink extends HttpSink {

  public static final String SCHEMA_VERSION = "1";
  public static final String ID_HEADER = "X-Pgvigil-Notification-Id";

  private final SecretValue url;
  private final SecretValue secret;

  /** @param secret the HMAC key, or {@code null} for unsigned requests */
  public WebhookSink(String name, WebClient client, Clock clock, SecretValue url,
      SecretValue secret, Duration timeout) {
    super(name, true, 1, RateLimit.NONE, client, clock, timeout, url, secret);
    this.url = url;
    this.secret = secret;
  }

  @Override
  public Future<Void> send(List<Notification> batch) {
    Notification n = batch.get(0);
    byte[] body = body(n).encode().getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(ID_HEADER, n.id());
    if (secret != null && !secret.isEmpty()) {
      headers.put(Signatures.HEADER, Signatures.sign(secret.reveal().getBytes(StandardCharsets.UTF_8), body));
    }
    return post(url.reveal(), headers, Buffer.buffer(body));
  }

  static JsonObject body(Notification n) {
    return new JsonObject().put("schemaVersion", SCHEMA_VERSION).put("notificationId", n.id())
        .put("seq", n.seq()).put("createdAt", n.createdAt().toString()).put("target", n.target())
        .put("alerts", AlertJson.alerts(n));
  }
}
