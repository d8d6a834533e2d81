package io.pgvigil.daemon.rules;

import io.pgvigil.alerts.Blocker;
import io.pgvigil.daemon.config.RuleKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rule's verdict on one object of a target after its {@code for} duration, at WARN or ABORT.
 *
 * @param object    stable while the condition lasts ({@code replica-1}); empty for target-wide rules
 * @param threshold the crossed threshold of {@code level}; it and {@code value} in the rule's unit
 * @param since     when the value first crossed {@code level}'s threshold
 * @param census    the sessions involved (statements only with {@code alerts.queryText})
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

  public String formattedValue() {
    return rule.unit().format(value);
  }

  public String formattedThreshold() {
    return rule.unit().format(threshold);
  }
}
