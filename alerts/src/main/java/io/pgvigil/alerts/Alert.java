package io.pgvigil.alerts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A condition worth telling a human about: a lock stall, replication lag, drift, a kill-switch
 * action. The {@link #key} is stable for the same target + rule + object, so the firing and the
 * resolved notification of one condition carry the same PagerDuty {@code dedup_key}.
 *
 * @param value the measured value, as the user reads it ("7.2s"), or {@code null}
 * @param threshold the threshold it broke ("5s"), or {@code null}
 * @param details further facts (no secrets, no query text unless configured)
 * @param endsAt when it was resolved; {@code null} while firing
 */
public record Alert(String key, String target, String rule, String object, Severity severity,
    String summary, String value, String threshold, List<Blocker> census,
    Map<String, String> details, Instant startsAt, Instant endsAt, AlertStatus status) {

  /** PagerDuty rejects a {@code dedup_key} longer than 255 characters. */
  static final int MAX_KEY_LENGTH = 255;

  public Alert {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(rule, "rule");
    object = object == null ? "" : object;
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(summary, "summary");
    census = census == null ? List.of() : List.copyOf(census);
    details = details == null ? Map.of() : Map.copyOf(details);
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(status, "status");
  }

  public static Alert firing(String target, String rule, String object, Severity severity, String summary, String value,
      String threshold, List<Blocker> census, Map<String, String> details, Instant startsAt) {
    return new Alert(keyOf(target, rule, object), target, rule, object, severity, summary, value,
        threshold, census, details, startsAt, null, AlertStatus.FIRING);
  }

  /** {@code target/rule/object}, hashed at the tail when it would pass 255 characters. */
  public static String keyOf(String target, String rule, String object) {
    String key = target + "/" + rule + "/" + (object == null ? "" : object);
    if (key.length() <= MAX_KEY_LENGTH) {
      return key;
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return key.substring(0, 200) + "#" + HexFormat.of().formatHex(hash, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  public boolean isFiring() {
    return status == AlertStatus.FIRING;
  }

  public Alert resolvedAt(Instant at) {
    return new Alert(key, target, rule, object, severity, summary, value, threshold, census,
        details, startsAt, at, AlertStatus.RESOLVED);
  }

  /** This alert's new facts, keeping the original start time. */
  Alert updatedFrom(Alert newer) {
    return new Alert(key, target, rule, object, newer.severity, newer.summary, newer.value,
        newer.threshold, newer.census, newer.details, startsAt, null, AlertStatus.FIRING);
  }
}
