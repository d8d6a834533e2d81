package io.pgvigil.alerts;

/** Where an alert is in its life: firing until the condition clears, then resolved once. */
public enum AlertStatus {
  FIRING("firing"),
  RESOLVED("resolved");

  private final String wireName;

  AlertStatus(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static AlertStatus fromWireName(String name) {
    return "resolved".equals(name) ? RESOLVED : FIRING;
  }
}
