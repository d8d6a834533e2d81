package io.pgvigil.daemon.rules;

import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.config.Threshold;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns one target's measurements into verdicts: a value at or above a level's threshold for the
 * rule's {@code for} duration is at that level, in the profile that applies. Each source is
 * evaluated on its own; an object it no longer measures starts over. Not thread-safe: one target's
 * checks run on its event loop.
 */
public final class RuleEvaluator {

  /** Since when one rule's value for one object has been at or above each level. */
  private static final class Breach {
    Instant warnSince;
    Instant abortSince;
  }

  /** The profile is part of it: when a window opens or closes, every `for` starts over. */
  private record Key(Source source, RuleKind rule, String object, boolean windowOpen) {}

  private final String target;
  private final Rules rules;
  private final Clock clock;
  private final Map<Key, Breach> breaches = new HashMap<>();

  public RuleEvaluator(String target, Rules rules, Clock clock) {
    this.target = target;
    this.rules = rules;
    this.clock = clock;
  }

  /** The verdicts at WARN or ABORT among {@code measurements}, the whole of {@code source}'s poll. */
  public List<RuleVerdict> evaluate(Source source, List<Measurement> measurements, boolean windowOpen) {
    Instant now = clock.instant();
    List<RuleVerdict> verdicts = new ArrayList<>();
    Set<Key> seen = new HashSet<>();
    for (Measurement m : measurements) {
      Key key = new Key(source, m.rule(), m.object(), windowOpen);
      seen.add(key);
      Threshold t = rules.threshold(m.rule(), windowOpen);
      Breach breach = breaches.computeIfAbsent(key, k -> new Breach());
      breach.warnSince = since(breach.warnSince, t.warn(), m.value(), now);
      breach.abortSince = since(breach.abortSince, t.abort(), m.value(), now);
      Duration sustainedFor = t.sustainedFor();
      if (held(breach.abortSince, sustainedFor, now)) {
        verdicts.add(verdict(m, RuleVerdict.Level.ABORT, t.abort().get(), breach.abortSince, windowOpen));
      } else if (held(breach.warnSince, sustainedFor, now)) {
        verdicts.add(verdict(m, RuleVerdict.Level.WARN, t.warn().get(), breach.warnSince, windowOpen));
      } else if (breach.warnSince == null && breach.abortSince == null) {
        breaches.remove(key);
      }
    }
    breaches.keySet().removeIf(k -> k.source() == source && !seen.contains(k));
    return verdicts;
  }

  private static Instant since(Instant since, Optional<Double> level, double value, Instant now) {
    if (level.isEmpty() || value < level.get()) {
      return null;
    }
    return since == null ? now : since;
  }

  private static boolean held(Instant since, Duration sustainedFor, Instant now) {
    return since != null && Duration.between(since, now).compareTo(sustainedFor) >= 0;
  }

  private RuleVerdict verdict(Measurement m, RuleVerdict.Level level, double threshold, Instant since,
      boolean windowOpen) {
    return new RuleVerdict(target, m.rule(), m.object(), level, m.value(), threshold, since, windowOpen,
        m.census(), m.details());
  }
}
