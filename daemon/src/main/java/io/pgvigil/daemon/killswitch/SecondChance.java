package io.pgvigil.daemon.killswitch;

import io.pgvigil.daemon.rules.RuleVerdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verdict must be at ABORT once more on the next fresh poll of its source before anything is
 * done, so a one-poll spike never aborts a deploy.
 */
final class SecondChance {

  private static final Logger LOG = LoggerFactory.getLogger(SecondChance.class);

  /** The profile is part of it: a breach armed outside a window is not the second chance of the in-window rules. */
  record Breach(String source, String rule, String object, boolean inWindow) {}

  private final String target;
  /** Breaches at ABORT on the previous poll of their source: the next one acts. */
  private final Set<Breach> armed = new HashSet<>();

  SecondChance(String target) {
    this.target = target;
  }

  /** The verdicts of {@code source} at ABORT for a second poll or more; arms new ones, disarms the rest. */
  List<RuleVerdict> confirmed(String source, List<RuleVerdict> verdicts) {
    Set<Breach> atAbort = new HashSet<>();
    List<RuleVerdict> confirmed = new ArrayList<>();
    for (RuleVerdict v : verdicts) {
      if (v.level() != RuleVerdict.Level.ABORT) {
        continue;
      }
      Breach breach = breachOf(source, v);
      atAbort.add(breach);
      if (armed.add(breach)) {
        LOG.info("target {}: abort rule {}{} breached ({} >= {}); checking once more on the next poll",
            target, v.rule(), v.object().isEmpty() ? "" : " (" + v.object() + ")", v.formattedValue(),
            v.formattedThreshold());
      } else {
        confirmed.add(v);
      }
    }
    armed.removeIf(b -> b.source().equals(source) && !atAbort.contains(b));
    return confirmed;
  }

  boolean armed(Breach breach) {
    return armed.contains(breach);
  }

  static Breach breachOf(String source, RuleVerdict v) {
    return new Breach(source, v.rule(), v.object(), v.inWindow());
  }
}
