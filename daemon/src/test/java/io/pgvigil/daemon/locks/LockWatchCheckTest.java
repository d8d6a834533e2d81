package io.pgvigil.daemon.locks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgvigil.daemon.config.RuleKind;
import io.pgvigil.daemon.config.Rules;
import io.pgvigil.daemon.config.Threshold;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LockWatchCheckTest {

  private static final Duration WRITES = Duration.ofSeconds(10);

  @Test
  void readsStatementsFromTheLongWriteThresholdWhenTheRulesAreLonger() {
    assertThat(LockWatchCheck.statementAge(Rules.DEFAULT, WRITES)).isEqualTo(WRITES);
  }

  @Test
  void readsStatementsFromTheLowestLevelOfTheDdlAndWriteRulesInAndOutOfWindows() {
    Rules rules = new Rules(
        Map.of(RuleKind.DDL_RUNTIME, new Threshold(Optional.of(30.0), Optional.of(4.5), Duration.ZERO)),
        Map.of(RuleKind.LONG_WRITE, new Threshold(Optional.of(2.0), Optional.empty(), Duration.ZERO)));

    assertThat(LockWatchCheck.statementAge(rules, WRITES)).isEqualTo(Duration.ofSeconds(2));
    assertThat(LockWatchCheck.statementAge(new Rules(
        Map.of(RuleKind.DDL_RUNTIME, new Threshold(Optional.of(30.0), Optional.of(4.5), Duration.ZERO)), Map.of()),
        WRITES)).isEqualTo(Duration.ofMillis(4500));
  }

  @Test
  void ignoresTheLevelsOfOtherRules() {
    Rules rules = new Rules(
        Map.of(RuleKind.LOCK_WAIT, new Threshold(Optional.of(0.5), Optional.empty(), Duration.ZERO)), Map.of());

    assertThat(LockWatchCheck.statementAge(rules, WRITES)).isEqualTo(WRITES);
  }
}
