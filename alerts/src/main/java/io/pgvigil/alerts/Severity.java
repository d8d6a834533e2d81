package io.pgvigil.alerts;

import java.util.Arrays;
import java.util.Locale;

/**
 * Alert severity. The names are PagerDuty Events API v2's {@code payload.severity} values (critical, error, warning,
 * info: developer.pagerduty.com/docs/events-api-v2/trigger-events), reused as the Alertmanager {@code severity} label.
 */
public enum Severity {
  CRITICAL,
  ERROR,
  WARNING,
  INFO;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Severity fromWireName(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown severity '" + name + "'"));
  }
}
