package io.pgvigil.daemon.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Warn and abort thresholds, in two profiles. {@code inWindow} applies while a migration window is
 * open on the target; {@code always} applies outside windows. A rule missing from the file keeps
 * its default; a rule that is present is taken exactly as written (omitting {@code abort} means
 * "never abort"). Unless {@code rules.always} says otherwise, the always profile is the in-window
 * one without its abort levels: outside a window an abort level is never acted on.
 */
public record Rules(Map<RuleKind, Threshold> inWindow, Map<RuleKind, Threshold> always) {

  /** The key of the outside-windows profile inside {@code rules:}. */
  public static final String ALWAYS = "always";

  public static final Rules DEFAULT = new Rules(Map.of(), Map.of());

  /** Anything missing from what the file gave takes its default. */
  public Rules {
    inWindow = complete(inWindow, RuleKind::defaults);
    Map<RuleKind, Threshold> window = inWindow;
    always = complete(always, kind -> window.get(kind).withoutAbort());
  }

  /** The threshold of {@code kind} in the profile that applies ({@code inWindow} or always). */
  public Threshold threshold(RuleKind kind, boolean windowOpen) {
    return (windowOpen ? inWindow : always).get(kind);
  }

  private static Map<RuleKind, Threshold> complete(Map<RuleKind, Threshold> given,
      Function<RuleKind, Threshold> fallback) {
    Objects.requireNonNull(given, "profile");
    Map<RuleKind, Threshold> all = new LinkedHashMap<>();
    for (RuleKind kind : RuleKind.values()) {
      all.put(kind, given.containsKey(kind) ? given.get(kind) : fallback.apply(kind));
    }
    return Collections.unmodifiableMap(all);
  }
}
