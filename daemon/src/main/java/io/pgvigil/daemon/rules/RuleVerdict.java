package io.pgvigil.daemon.rules;

import io.pgvigil.alerts.Blocker;
import io.pgvigil.daemon.config.RuleKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rule's verdict on one object of a target after its {@code for} duration: the lock queue
 * behind pid 4242, the lag of replica-1. Only verdicts at {@link Level#WARN} or {@link Level#ABORT}
 * are handed on; an object that is no longer listed is back to normal.
 *
 * @param object    what the rule is about, stable while the condition lasts ({@code pid 4242},
 *                  {@code replica-1}); empty for target-wide rules
 * @param value     the measured value, in the rule's unit
 * @param threshold the threshold of {@code level} that was crossed, in the rule's unit
 * @param since     when the value first crossed {@code level}'s threshold
 * @param inWindow  whether a migration window was open (the in-window profile applied)
 * @param census    the sessions involved (pids, roles, states, ages; statements only with
 *                  {@code alerts.queryText}), empty when none
 * @param details   further facts for people (no query text, no secrets)
 */
public record RuleVerdict(String target, RuleKind rule, String object, Level level, double value,
    double threshold, Instant since, boolean inWindow, List<Blocker> census, Map<String, String> details) {

  public enum Level { WARN, ABORT }

  public RuleVerdict {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(rule, "rule");
    object = object == null ? "" : object;
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(since, "since");
    census = census == null ? List.of() : List.copyOf(census);
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  /** The value as people read it: {@code 7.2s}, {@code 512MiB}, {@code 6}. */
  public String formattedValue() {
    return rule.unit().format(value);
  }

  public String formattedThreshold() {
    return rule.unit().format(threshold);
  }
}
