package io.pgvigil.alerts;

import java.time.Instant;
import java.util.Objects;

/**
 * A stop on sending the alerts it matches, from {@code startsAt} until {@code endsAt}: an alert it
 * matches is still decided, listed and counted, just not sent (see {@link AlertEngine#silenceWhen}).
 * Each matcher ({@code target}, {@code rule}, {@code object}) that is {@code null} matches any value;
 * otherwise it is the exact text, where {@code *} stands for any run of characters (none included).
 *
 * @param object matched against the alert's object, which is empty for alerts without one
 * @param createdBy who asked for it, as they said, or {@code null}
 */
public record Silence(String id, String target, String rule, String object, Instant startsAt,
    Instant endsAt, String comment, String createdBy) {

  public Silence {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(startsAt, "startsAt");
    Objects.requireNonNull(endsAt, "endsAt");
    Objects.requireNonNull(comment, "comment");
  }

  public boolean active(Instant at) {
    return !at.isBefore(startsAt) && at.isBefore(endsAt);
  }

  /** Whether this silence holds back {@code alert} at {@code at}. */
  public boolean matches(Alert alert, Instant at) {
    return active(at) && matches(target, alert.target()) && matches(rule, alert.rule())
        && matches(object, alert.object());
  }

  /** This silence ended at {@code at}, unless it had ended before. */
  public Silence expiredAt(Instant at) {
    Instant end = at.isBefore(endsAt) ? at : endsAt;
    return new Silence(id, target, rule, object, startsAt.isAfter(end) ? end : startsAt, end,
        comment, createdBy);
  }

  /** A matcher against a value: absent matches all; {@code *} is any run of characters. */
  static boolean matches(String matcher, String value) {
    if (matcher == null) {
      return true;
    }
    // Greedy glob with backtracking to the last star: linear in practice, no regex to escape.
    int m = 0;
    int v = 0;
    int star = -1;
    int resume = 0;
    while (v < value.length()) {
      if (m < matcher.length() && matcher.charAt(m) == '*') {
        star = m++;
        resume = v;
      } else if (m < matcher.length() && matcher.charAt(m) == value.charAt(v)) {
        m++;
        v++;
      } else if (star >= 0) {
        m = star + 1;
        v = ++resume;
      } else {
        return false;
      }
    }
    while (m < matcher.length() && matcher.charAt(m) == '*') {
      m++;
    }
    return m == matcher.length();
  }
}
