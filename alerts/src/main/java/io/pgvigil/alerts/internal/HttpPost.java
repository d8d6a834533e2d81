package io.pgvigil.alerts.internal;

import io.pgvigil.alerts.DeliveryFailure;
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

/** One POST with a timeout, its non-2xx answer classified into a {@link DeliveryFailure}. */
public final class HttpPost {

  private HttpPost() {}

  public static Future<Void> send(WebClient client, String absoluteUrl, Map<String, String> headers,
      Buffer body, Duration timeout, Clock clock, Redactor redactor) {
    HttpRequest<Buffer> request;
    try {
      request = client.postAbs(absoluteUrl).timeout(timeout.toMillis());
    } catch (RuntimeException badUrl) {
      // the exception text would echo the URL
      return Future.failedFuture(new DeliveryFailure(DeliveryFailure.Kind.REJECTED, null,
          "invalid URL (" + badUrl.getClass().getSimpleName() + ")"));
    }
    headers.forEach(request::putHeader);
    return request.sendBuffer(body).expecting(HttpResponseExpectation.SC_SUCCESS
        .wrappingFailure((response, err) -> DeliveryFailure.ofStatus(response.statusCode(),
            retryAfter(response.getHeader("Retry-After"), clock.instant()))))
        .<Void>mapEmpty()
        .recover(err -> Future.failedFuture(err instanceof DeliveryFailure ? err
            : DeliveryFailure.network(redactor.redact(err.getClass().getSimpleName() + ": " + err.getMessage()))));
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
}
