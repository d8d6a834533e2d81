package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.HttpPost;
import io.pgvigil.alerts.internal.Redactor;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** What the HTTP sinks share: how they batch, and a POST with a timeout that hides secrets. */
abstract class HttpSink implements Sink {

  private final String name;
  private final boolean groupsAlerts;
  private final int maxBatch;
  private final RateLimit rateLimit;
  private final WebClient client;
  final Clock clock;
  private final Duration timeout;
  private final Redactor redactor;

  HttpSink(String name, boolean groupsAlerts, int maxBatch, RateLimit rateLimit, WebClient client,
      Clock clock, Duration timeout, SecretValue... secrets) {
    this.name = name;
    this.groupsAlerts = groupsAlerts;
    this.maxBatch = maxBatch;
    this.rateLimit = rateLimit;
    this.client = client;
    this.clock = clock;
    this.timeout = timeout;
    this.redactor = new Redactor(secrets);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean groupsAlerts() {
    return groupsAlerts;
  }

  @Override
  public int maxBatch() {
    return maxBatch;
  }

  @Override
  public RateLimit rateLimit() {
    return rateLimit;
  }

  Future<Void> post(String absoluteUrl, Map<String, String> headers, Buffer body) {
    return HttpPost.send(client, absoluteUrl, headers, body, timeout, clock, redactor);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + "]";
  }
}
