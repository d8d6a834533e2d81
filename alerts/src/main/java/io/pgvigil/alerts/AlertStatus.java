package io.pgvigil.alerts;

import java.util.Locale;

/** Where an alert is in its life: firing until the condition clears, then resolved once. */
public enum AlertStatus {
  FIRING,
  RESOLVED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static AlertStatus fromWireName(String name) {
    return "resolved".equals(name) ? RESOLVED : FIRING;
  }
}
