package io.pgvigil.alerts;

import io.pgvigil.alerts.internal.Redactor;
import io.pgvigil.common.SecretValue;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * What the HTTP sinks share: how they batch, and a JSON POST with a timeout that hides secrets,
 * its non-2xx answer classified into a {@link DeliveryFailure}.
 */
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
    HttpRequest<Buffer> request;
    try {
      request = client.postAbs(absoluteUrl).timeout(timeout.toMillis());
    } catch (RuntimeException badUrl) {
      // the exception text would echo the URL
      return Future.failedFuture(new DeliveryFailure(DeliveryFailure.Kind.REJECTED, null,
          "invalid URL (" + badUrl.getClass().getSimpleName() + ")"));
    }
    request.putHeader("Content-Type", "application/json");
    headers.forEach(request::putHeader);
    return request.sendBuffer(body).expecting(HttpResponseExpectation.SC_SUCCESS
        .wrappingFailure((response, err) -> DeliveryFailure.ofStatus(response.statusCode(),
            retryAfter(response.getHeader("Retry-After"), clock.instant()))))
        .<Void>mapEmpty()
        .recover(err -> Future.failedFuture(err instanceof DeliveryFailure ? err
            : DeliveryFailure.network(
                redactor.redact(err.getClass().getSimpleName() + ": " + err.getMessage()))));
  }

  /** Retry-After is delay-seconds or an HTTP-date (RFC 9110 section 10.2.3). */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(now, at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + "]";
  }
}
