package io.pgvigil.daemon.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.alerts.testing.MutableClock;
import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.config.Threshold;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuleEvaluatorTest {

  private final MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");

  private static Threshold t(Double warn, Double abort, Duration sustainedFor) {
    return new Threshold(Optional.ofNullable(warn), Optional.ofNullable(abort), sustainedFor);
  }

  @Test
  void aLevelCountsOnlyAfterItsForDuration() {
    Rules rules = new Rules(Map.of(RuleKind.REPLICATION_LAG, t(10.0, 60.0, Duration.ofSeconds(5))), Map.of());
    RuleEvaluator evaluator = new RuleEvaluator("app", rules, clock);

    assertThat(evaluator.evaluate(Source.REPLICATION,
        List.of(Measurement.of(RuleKind.REPLICATION_LAG, "r1", 70)), true))
        .isEmpty();
    clock.advance(Duration.ofSeconds(5));
    List<RuleVerdict> verdicts =
        evaluator.evaluate(Source.REPLICATION, List.of(Measurement.of(RuleKind.REPLICATION_LAG, "r1", 75)), true);
    assertThat(verdicts).singleElement().satisfies(v -> {
      assertThat(v.level()).isEqualTo(RuleVerdict.Level.ABORT);
      assertThat(v.object()).isEqualTo("r1");
      assertThat(v.threshold()).isEqualTo(60.0);
      assertThat(v.formattedValue()).isEqualTo("75s");
      assertThat(v.since()).isEqualTo(clock.instant().minusSeconds(5));
    });
    // Back under the abort level but above warn: the warn level's clock started with the first poll.
    clock.advance(Duration.ofSeconds(1));
    assertThat(evaluator.evaluate(Source.REPLICATION,
        List.of(Measurement.of(RuleKind.REPLICATION_LAG, "r1", 20)), true))
        .singleElement().extracting(RuleVerdict::level).isEqualTo(RuleVerdict.Level.WARN);
    // Under warn: nothing, and the next breach starts its `for` over.
    evaluator.evaluate(Source.REPLICATION, List.of(Measurement.of(RuleKind.REPLICATION_LAG, "r1", 1)), true);
    assertThat(evaluator.evaluate(Source.REPLICATION,
        List.of(Measurement.of(RuleKind.REPLICATION_LAG, "r1", 70)), true))
        .isEmpty();
  }

  @Test
  void outsideWindowsTheAbortLevelOnlyWarnsUnlessTheAlwaysProfileSaysSo() {
    Rules rules = new Rules(Map.of(RuleKind.LOCK_QUEUE, t(null, 3.0, Duration.ZERO)),
        Map.of(RuleKind.REPLICATION_LAG, t(30.0, 120.0, Duration.ZERO)));
    RuleEvaluator evaluator = new RuleEvaluator("app", rules, clock);

    assertThat(evaluator.evaluate(Source.LOCKS, List.of(Measurement.of(RuleKind.LOCK_QUEUE, "", 4)), false))
        .singleElement().satisfies(v -> {
          assertThat(v.level()).isEqualTo(RuleVerdict.Level.WARN);
          assertThat(v.inWindow()).isFalse();
        });
    assertThat(evaluator.evaluate(Source.LOCKS, List.of(Measurement.of(RuleKind.LOCK_QUEUE, "", 4)), true))
        .singleElement().extracting(RuleVerdict::level).isEqualTo(RuleVerdict.Level.ABORT);
    assertThat(evaluator.evaluate(Source.REPLICATION,
        List.of(Measurement.of(RuleKind.REPLICATION_LAG, "r1", 130)), false))
        .singleElement().extracting(RuleVerdict::level).isEqualTo(RuleVerdict.Level.ABORT);
  }

  @Test
  void sourcesAreEvaluatedApartAndAMissingObjectStartsOver() {
    Rules rules = new Rules(Map.of(RuleKind.REPLICATION_LAG_BYTES, t(100.0, null, Duration.ofSeconds(2))), Map.of());
    RuleEvaluator evaluator = new RuleEvaluator("app", rules, clock);
    evaluator.evaluate(Source.REPLICATION, List.of(Measurement.of(RuleKind.REPLICATION_LAG_BYTES, "r1", 500)), false);
    clock.advance(Duration.ofSeconds(1));
    evaluator.evaluate(Source.LOCKS, List.of(Measurement.of(RuleKind.LOCK_WAIT, "", 0)), false);
    // r1 missing from one replication poll: its breach is forgotten.
    evaluator.evaluate(Source.REPLICATION, List.of(), false);
    clock.advance(Duration.ofSeconds(2));
    assertThat(evaluator.evaluate(Source.REPLICATION,
        List.of(Measurement.of(RuleKind.REPLICATION_LAG_BYTES, "r1", 500)), false)).isEmpty();
    clock.advance(Duration.ofSeconds(2));
    assertThat(evaluator.evaluate(Source.REPLICATION,
        List.of(Measurement.of(RuleKind.REPLICATION_LAG_BYTES, "r1", 2048)), false))
        .singleElement().extracting(RuleVerdict::formattedValue).isEqualTo("2KiB");
  }
}
