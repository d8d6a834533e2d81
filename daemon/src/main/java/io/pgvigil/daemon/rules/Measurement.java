package io.pgvigil.daemon.rules;

import io.pgvigil.alerts.Blocker;
import io.pgvigil.daemon.config.RuleKind;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One value a poll measured for a rule, with the sessions involved and further facts for people.
 *
 * @param object what it is about ({@code replica-1}); empty for a target-wide value
 */
public record Measurement(RuleKind rule, String object, double value, List<Blocker> census,
    Map<String, String> details) {

  public Measurement {
    Objects.requireNonNull(rule, "rule");
    object = object == null ? "" : object;
    census = census == null ? List.of() : List.copyOf(census);
    details = details == null ? Map.of() : Map.copyOf(details);
  }

  public static Measurement of(RuleKind rule, String object, double value) {
    return new Measurement(rule, object, value, List.of(), Map.of());
  }
}
