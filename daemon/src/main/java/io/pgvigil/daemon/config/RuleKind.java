package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Every rule: its name in {@code rules:} and alerts, its unit, what it means for people, its default thresholds. */
public enum RuleKind {
  LOCK_WAIT("lockWait", Unit.SECONDS, "a session waits for a lock", levels(2.0, 5.0, Duration.ZERO)),
  LOCK_QUEUE("lockQueue", Unit.COUNT, "sessions queue behind a lock request", levels(5.0, 20.0, Duration.ZERO)),
  LOCK_QUEUE_COST("lockQueueCost", Unit.SECONDS, "a lock queue has cost blocked-backend-seconds",
      levels(30.0, null, Duration.ZERO)),
  REPLICATION_LAG("replicationLag", Unit.SECONDS, "a standby lags behind",
      levels(10.0, 60.0, Duration.ofSeconds(5))),
  REPLICATION_LAG_BYTES("replicationLagBytes", Unit.BYTES, "a standby lags behind in WAL",
      levels(1024.0 * 1024 * 1024, null, Duration.ofSeconds(5))),
  STANDBY_GONE("standbyGone", Unit.COUNT, "a standby is gone", levels(1.0, null, Duration.ofSeconds(30))),
  DDL_RUNTIME("ddlRuntime", Unit.SECONDS, "a DDL statement runs long", levels(60.0, null, Duration.ZERO)),
  /** Only idle transactions that block another session. */
  IDLE_IN_TRANSACTION("idleInTransaction", Unit.SECONDS, "a session is idle in transaction",
      levels(60.0, null, Duration.ZERO)),
  /** The longest-running UPDATE, DELETE or INSERT … SELECT. */
  LONG_WRITE("longWrite", Unit.SECONDS, "a write runs long (an unbatched backfill?)",
      levels(300.0, null, Duration.ZERO));

  public static final List<String> NAMES = Arrays.stream(values()).map(RuleKind::yaml).toList();

  private final String yaml;
  private final Unit unit;
  private final String meaning;
  private final Threshold defaults;

  RuleKind(String yaml, Unit unit, String meaning, Threshold defaults) {
    this.yaml = yaml;
    this.unit = unit;
    this.meaning = meaning;
    this.defaults = defaults;
  }

  public String yaml() {
    return yaml;
  }

  public Unit unit() {
    return unit;
  }

  /** What a breach means, for an alert's summary: {@code a session waits for a lock}. */
  public String meaning() {
    return meaning;
  }

  public Threshold defaults() {
    return defaults;
  }

  public static Optional<RuleKind> fromYaml(String name) {
    return Arrays.stream(values()).filter(k -> k.yaml.equals(name)).findFirst();
  }

  private static Threshold levels(Double warn, Double abort, Duration sustainedFor) {
    return new Threshold(Optional.ofNullable(warn), Optional.ofNullable(abort), sustainedFor);
  }
}
