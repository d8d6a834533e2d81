package io.pgvigil.alerts;

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

  /** The lower-case name the services expect. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Severity fromWireName(String name) {
    for (Severity s : values()) {
      if (s.wireName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown severity '" + name + "'");
  }
}
