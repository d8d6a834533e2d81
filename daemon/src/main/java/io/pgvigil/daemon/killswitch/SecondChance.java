package io.pgvigil.daemon.killswitch;

import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.rules.RuleVerdict;
import io.pgvigil.daemon.rules.Source;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An ABORT verdict acts only when the next fresh poll of its source confirms it: a one-poll spike never aborts. */
final class SecondChance {

  private static final Logger LOG = LoggerFactory.getLogger(SecondChance.class);

  /** The profile is part of it: a breach armed outside a window is not the second chance of the in-window rules. */
  record Breach(Source source, RuleKind rule, String object, boolean inWindow) {
    static Breach of(Source source, RuleVerdict v) {
      return new Breach(source, v.rule(), v.object(), v.inWindow());
    }
  }

  private final String target;
  /** Breaches at ABORT on the previous poll of their source: the next one acts. */
  private final Set<Breach> armed = new HashSet<>();

  SecondChance(String target) {
    this.target = target;
  }

  /** The verdicts of {@code source} at ABORT for a second poll or more; arms new ones, disarms the rest. */
  List<RuleVerdict> confirmed(Source source, List<RuleVerdict> verdicts) {
    Set<Breach> atAbort = new HashSet<>();
    List<RuleVerdict> confirmed = new ArrayList<>();
    for (RuleVerdict v : verdicts) {
      if (v.level() != RuleVerdict.Level.ABORT) {
        continue;
      }
      Breach breach = Breach.of(source, v);
      atAbort.add(breach);
      if (armed.add(breach)) {
        LOG.info("target {}: abort rule {}{} breached ({} >= {}); checking once more on the next poll",
            target, v.rule().yaml(), v.object().isEmpty() ? "" : " (" + v.object() + ")", v.formattedValue(),
            v.formattedThreshold());
      } else {
        confirmed.add(v);
      }
    }
    armed.removeIf(b -> b.source().equals(source) && !atAbort.contains(b));
    return confirmed;
  }

  Set<Breach> armed() {
    return armed;
  }
}
