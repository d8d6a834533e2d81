package io.pgvigil.alerts.internal;

import io.pgvigil.common.SecretValue;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes secrets from text about to be logged. Needed because Vert.x puts the request URI into its own exceptions
 * ("The timeout period of 500ms has been exceeded while executing POST /services/T0/B0/XXXX for server …",
 * io.vertx.core.http.impl.HttpClientRequestImpl), and a Slack webhook's path is its credential.
 */
public final class Redactor {

  private final List<String> needles = new ArrayList<>();

  public Redactor(SecretValue... secrets) {
    for (SecretValue s : secrets) {
      if (s == null || s.isEmpty()) {
        continue;
      }
      String value = s.reveal();
      needles.add(value);
      try {
        URI uri = URI.create(value);
        if (uri.getRawPath() != null && uri.getRawPath().length() > 1) {
          needles.add(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
          needles.add(uri.getRawQuery());
        }
      } catch (IllegalArgumentException notAUri) {
        // a routing key or HMAC secret: the value itself is the only needle
      }
    }
  }

  public String redact(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String needle : needles) {
      out = out.replace(needle, SecretValue.MASK);
    }
    return out;
  }
}
