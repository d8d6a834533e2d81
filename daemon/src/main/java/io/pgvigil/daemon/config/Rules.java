package io.pgvigil.daemon.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Thresholds in two profiles: {@code inWindow} while a migration window is open, {@code always} outside. A rule
 * missing from the file keeps its default; a present one is taken as written (no {@code abort}: never abort). Unless
 * {@code rules.always} says otherwise, outside windows is the in-window profile without abort levels.
 */
public record Rules(Map<RuleKind, Threshold> inWindow, Map<RuleKind, Threshold> always) {

  public static final String ALWAYS = "always";

  public static final Rules DEFAULT = new Rules(Map.of(), Map.of());

  public Rules {
    inWindow = complete(inWindow, RuleKind::defaults);
    Map<RuleKind, Threshold> window = inWindow;
    always = complete(always, kind -> window.get(kind).withoutAbort());
  }

  /** A rule's longer {@code for} of the two profiles. */
  public Duration longestFor(RuleKind kind) {
    Duration in = inWindow.get(kind).sustainedFor();
    Duration out = always.get(kind).sustainedFor();
    return in.compareTo(out) >= 0 ? in : out;
  }

  public Threshold threshold(RuleKind kind, boolean windowOpen) {
    return (windowOpen ? inWindow : always).get(kind);
  }

  private static Map<RuleKind, Threshold> complete(Map<RuleKind, Threshold> given,
      Function<RuleKind, Threshold> fallback) {
    Map<RuleKind, Threshold> all = new LinkedHashMap<>();
    for (RuleKind kind : RuleKind.values()) {
      all.put(kind, given.containsKey(kind) ? given.get(kind) : fallback.apply(kind));
    }
    return Collections.unmodifiableMap(all);
  }
}
